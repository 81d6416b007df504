using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Reports;

/// <summary>Reports of inappropriate content, kept for the server's moderators.</summary>
public sealed class EventReportStore(Database db)
{
    private const string Insert = """
        INSERT INTO event_reports (room_id, event_id, reporter, reason, score, received_ts)
        VALUES (@RoomId, @EventId, @Reporter, @Reason, @Score, @ReceivedTs)
        """;
    private const string SelectForRoom = """
        SELECT report_id AS ReportId, room_id AS RoomId, event_id AS EventId, reporter AS Reporter, reason AS Reason, score AS Score, received_ts AS ReceivedTs
        FROM event_reports WHERE room_id = @RoomId ORDER BY report_id
        """;

    public Task AddAsync(string roomId, string? eventId, string reporter, string? reason, long? score, long receivedTs, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new { RoomId = roomId, EventId = eventId, Reporter = reporter, Reason = reason, Score = score, ReceivedTs = receivedTs }, ct, tx), ct);

    /// <summary>The reports about a room and its events, oldest first.</summary>
    public Task<IReadOnlyList<EventReport>> ForRoomAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<EventReport>(SelectForRoom, new { RoomId = roomId }, ct), ct);
}
