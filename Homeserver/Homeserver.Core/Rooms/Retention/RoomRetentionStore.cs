using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Retention;

/// <summary>Every room with the PDU of its current <c>m.room.retention</c> state event, if it has one.</summary>
public sealed class RoomRetentionStore(Database db)
{
    private const string Select = """
        SELECT r.room_id AS RoomId, e.json AS Json FROM rooms r
        LEFT JOIN current_state cs ON cs.room_id = r.room_id AND cs.event_type = 'm.room.retention' AND cs.state_key = ''
        LEFT JOIN events e ON e.event_id = cs.event_id
        ORDER BY r.room_id
        """;

    public sealed class Row
    {
        public string RoomId { get; set; } = "";
        public string? Json { get; set; }
    }

    public Task<IReadOnlyList<Row>> AllAsync(CancellationToken ct) => db.ReadAsync(c => c.ListAsync<Row>(Select, null, ct), ct);
}
