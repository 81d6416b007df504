using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>The room DAG as federation walks it: an event's parents with their depth, and events by timestamp.</summary>
public sealed class EventGraphStore(Database db)
{
    /// <summary>An event's place in the DAG and the timeline.</summary>
    public sealed class Node
    {
        public string EventId { get; set; } = "";
        public long Depth { get; set; }
        public long StreamOrdering { get; set; }
        public long OriginServerTs { get; set; }
    }

    private const string SelectNode = """
        SELECT event_id, depth, stream_ordering, origin_server_ts FROM events WHERE event_id = @EventId AND room_id = @RoomId
        """;
    // Parents the server does not hold, and any of another room a forged prev_events could name, are left out.
    private const string SelectParents = """
        SELECT e.event_id, e.depth, e.stream_ordering, e.origin_server_ts FROM event_edges g JOIN events e ON e.event_id = g.prev_event_id
        WHERE g.event_id = @EventId AND e.room_id = @RoomId
        """;
    private const string SelectFirstAfter = """
        SELECT event_id, depth, stream_ordering, origin_server_ts FROM events WHERE room_id = @RoomId AND origin_server_ts >= @Ts
        ORDER BY origin_server_ts, stream_ordering LIMIT 1
        """;
    private const string SelectLastBefore = """
        SELECT event_id, depth, stream_ordering, origin_server_ts FROM events WHERE room_id = @RoomId AND origin_server_ts <= @Ts
        ORDER BY origin_server_ts DESC, stream_ordering DESC LIMIT 1
        """;

    public Task<Node?> FindAsync(string roomId, string eventId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<Node>(SelectNode, new { RoomId = roomId, EventId = eventId }, ct), ct);

    public Task<IReadOnlyList<Node>> ParentsAsync(string roomId, string eventId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Node>(SelectParents, new { RoomId = roomId, EventId = eventId }, ct), ct);

    /// <summary>The room's event closest to <paramref name="ts"/>: the first at or after it, or the last at or before it.</summary>
    public Task<Node?> ClosestToAsync(string roomId, long ts, bool forwards, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<Node>(forwards ? SelectFirstAfter : SelectLastBefore, new { RoomId = roomId, Ts = ts }, ct), ct);
}
