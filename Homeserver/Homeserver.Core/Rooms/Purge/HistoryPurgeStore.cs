using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Purge;

/// <summary>
/// Deletes a room's history before a stream position, in one transaction. Events older than the point leave the
/// timeline (<c>rooms.history_start</c>): /messages, /context and sync no longer return them, as Synapse turns what
/// it keeps into outliers. Of those, the state events stay stored (state snapshots and current state name them) and
/// so do local users' events unless asked; the rest are deleted with their edges, relations and notifications.
/// The room's newest event and its forward extremities are never purged.
/// </summary>
public sealed class HistoryPurgeStore(Database db)
{
    private const string Newest = "SELECT COALESCE(MAX(stream_ordering), 0) FROM events WHERE room_id = @RoomId";
    private const string FirstAtOrAfter = "SELECT MIN(stream_ordering) FROM events WHERE room_id = @RoomId AND origin_server_ts >= @Ts";
    private const string Doomed = """
        SELECT event_id FROM events e WHERE e.room_id = @RoomId AND e.stream_ordering < @UpTo AND e.state_key IS NULL
          AND (@DeleteLocal OR e.sender NOT LIKE @LocalSenders ESCAPE '\')
          AND NOT EXISTS (SELECT 1 FROM room_forward_extremities x WHERE x.room_id = e.room_id AND x.event_id = e.event_id)
        """;
    // What refers to a deleted event and goes with it.
    private static readonly string[] Dependents = ["event_edges", "event_relations", "event_push_actions", "awaited_redactions"];
    private const string MoveStart = "UPDATE rooms SET history_start = @UpTo WHERE room_id = @RoomId AND history_start < @UpTo";

    /// <summary>The stream position purging up to <paramref name="ts"/> stops at: the room's first event sent at or after it.</summary>
    public Task<long?> FirstAtOrAfterAsync(string roomId, long ts, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long?>(FirstAtOrAfter, new { RoomId = roomId, Ts = ts }, ct), ct);

    /// <summary>Purges the room's events before <paramref name="upTo"/> (kept before its newest event); how many were deleted.</summary>
    public Task<int> PurgeAsync(string roomId, long upTo, bool deleteLocal, string serverName, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await RoomStore.LockAsync(c, tx, roomId, ct);
            upTo = Math.Min(upTo, await c.ScalarAsync<long>(Newest, new { RoomId = roomId }, ct, tx));
            var args = new { RoomId = roomId, UpTo = upTo, DeleteLocal = deleteLocal, LocalSenders = "%:" + LikePattern.Escape(serverName) };
            foreach (var table in Dependents)
                await c.RunAsync($"DELETE FROM {table} WHERE event_id IN ({Doomed})", args, ct, tx);
            var deleted = await c.RunAsync($"DELETE FROM events WHERE event_id IN ({Doomed})", args, ct, tx);
            await c.RunAsync(MoveStart, args, ct, tx);
            return deleted;
        }, ct);
}
