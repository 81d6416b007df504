using System.Text.Json.Nodes;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Push.Counts;

/// <summary>
/// Unread notification counts: the push-action rows after the user's read position. A position is the later of
/// their <c>m.read</c> and <c>m.read.private</c> receipts; an unthreaded receipt covers every thread, a threaded
/// one (<c>main</c> or a thread root) only its own.
/// </summary>
public sealed class NotificationCounts(Database db)
{
    private const string ReadTypes = "('m.read', 'm.read.private')";

    private const string SelectRoomCounts = $"""
        WITH reads AS (
            SELECT r.thread_id, MAX(e.stream_ordering) AS pos FROM receipts r JOIN events e ON e.event_id = r.event_id
            WHERE r.room_id = @RoomId AND r.user_id = @UserId AND r.receipt_type IN {ReadTypes} GROUP BY r.thread_id
        )
        SELECT a.thread_id, CAST(SUM(a.notif) AS BIGINT) AS notifications, CAST(SUM(a.highlight) AS BIGINT) AS highlights
        FROM event_push_actions a LEFT JOIN reads t ON t.thread_id = a.thread_id
        WHERE a.user_id = @UserId AND a.room_id = @RoomId
          AND a.stream_ordering > COALESCE((SELECT pos FROM reads WHERE thread_id = ''), 0)
          AND a.stream_ordering > COALESCE(t.pos, 0)
        GROUP BY a.thread_id
        """;

    // The same for many rooms at once (a sync of every joined room), each room with its own read positions.
    private static string SelectRoomsCounts(SqlDialect d) => $"""
        WITH reads AS (
            SELECT r.room_id, r.thread_id, MAX(e.stream_ordering) AS pos FROM receipts r JOIN events e ON e.event_id = r.event_id
            WHERE {d.InLongList("r.room_id", "RoomIds")} AND r.user_id = @UserId AND r.receipt_type IN {ReadTypes} GROUP BY r.room_id, r.thread_id
        )
        SELECT a.room_id, a.thread_id, CAST(SUM(a.notif) AS BIGINT) AS notifications, CAST(SUM(a.highlight) AS BIGINT) AS highlights
        FROM event_push_actions a
        LEFT JOIN reads t ON t.room_id = a.room_id AND t.thread_id = a.thread_id
        LEFT JOIN reads u ON u.room_id = a.room_id AND u.thread_id = ''
        WHERE a.user_id = @UserId AND {d.InLongList("a.room_id", "RoomIds")}
          AND a.stream_ordering > COALESCE(u.pos, 0) AND a.stream_ordering > COALESCE(t.pos, 0)
        GROUP BY a.room_id, a.thread_id
        """;

    private const string SelectTotal = $"""
        SELECT CAST(COALESCE(SUM(a.notif), 0) AS BIGINT) FROM event_push_actions a
        JOIN room_memberships m ON m.room_id = a.room_id AND m.user_id = a.user_id AND m.membership = 'join'
        WHERE a.user_id = @UserId AND a.stream_ordering > COALESCE((
            SELECT MAX(e.stream_ordering) FROM receipts r JOIN events e ON e.event_id = r.event_id
            WHERE r.room_id = a.room_id AND r.user_id = a.user_id AND r.receipt_type IN {ReadTypes} AND r.thread_id IN ('', a.thread_id)), 0)
        """;

    private const string SelectReadPositions = $"""
        SELECT r.room_id, r.thread_id, MAX(e.stream_ordering) AS position FROM receipts r JOIN events e ON e.event_id = r.event_id
        WHERE r.user_id = @UserId AND r.receipt_type IN {ReadTypes} GROUP BY r.room_id, r.thread_id
        """;

    public sealed class ThreadCount
    {
        public string ThreadId { get; set; } = "";
        public long Notifications { get; set; }
        public long Highlights { get; set; }
    }

    private sealed class RoomThreadCount
    {
        public string RoomId { get; set; } = "";
        public string ThreadId { get; set; } = "";
        public long Notifications { get; set; }
        public long Highlights { get; set; }
    }

    private sealed class ReadPosition
    {
        public string RoomId { get; set; } = "";
        public string ThreadId { get; set; } = "";
        public long Position { get; set; }
    }

    /// <summary>Unread counts of one room, per thread (<c>main</c> for events outside threads); threads with none are absent.</summary>
    public Task<IReadOnlyList<ThreadCount>> ByThreadAsync(string userId, string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<ThreadCount>(SelectRoomCounts, new { UserId = userId, RoomId = roomId }, ct), ct);

    /// <summary><see cref="ByThreadAsync"/> for many rooms in one query; rooms without unread notifications are absent.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ThreadCount>>> ByRoomAndThreadAsync(string userId, IReadOnlyCollection<string> roomIds,
        CancellationToken ct)
    {
        if (roomIds.Count == 0)
            return new Dictionary<string, IReadOnlyList<ThreadCount>>();
        var rows = await db.ReadAsync(c => c.ListAsync<RoomThreadCount>(SelectRoomsCounts(db.Dialect), new { UserId = userId, RoomIds = db.Dialect.ListParameter(roomIds) }, ct), ct);
        return rows.GroupBy(r => r.RoomId).ToDictionary(g => g.Key, g => (IReadOnlyList<ThreadCount>)g
            .Select(r => new ThreadCount { ThreadId = r.ThreadId, Notifications = r.Notifications, Highlights = r.Highlights }).ToList());
    }

    /// <summary>The user's unread notifications across all the rooms they are in (the badge a push carries).</summary>
    public Task<long> TotalUnreadAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(SelectTotal, new { UserId = userId }, ct), ct);

    /// <summary>Whether the user has read past a position of a room's thread, for every room at once.</summary>
    public async Task<Func<string, string, long, bool>> ReadCheckAsync(string userId, CancellationToken ct)
    {
        var positions = (await db.ReadAsync(c => c.ListAsync<ReadPosition>(SelectReadPositions, new { UserId = userId }, ct), ct))
            .ToDictionary(p => (p.RoomId, p.ThreadId), p => p.Position);
        return (roomId, threadId, stream) =>
            stream <= Math.Max(positions.GetValueOrDefault((roomId, Ephemeral.ReceiptStore.Unthreaded)), positions.GetValueOrDefault((roomId, threadId)));
    }

    /// <summary>
    /// A joined room's <c>unread_notifications</c>, and its <c>unread_thread_notifications</c> when the filter asks
    /// for them (the main counts then cover only the main timeline).
    /// </summary>
    public async Task<(JsonObject Unread, JsonObject? Threads)> SyncSectionsAsync(string userId, string roomId, bool perThread, CancellationToken ct) =>
        SyncSections(await ByThreadAsync(userId, roomId, ct), perThread);

    /// <summary><see cref="SyncSectionsAsync"/> from counts already read.</summary>
    public static (JsonObject Unread, JsonObject? Threads) SyncSections(IReadOnlyList<ThreadCount> counts, bool perThread)
    {
        if (!perThread)
            return (Section(counts.Sum(c => c.Notifications), counts.Sum(c => c.Highlights)), null);
        var main = counts.FirstOrDefault(c => c.ThreadId == PushActionsStore.MainThread);
        var threads = new JsonObject();
        foreach (var t in counts.Where(c => c.ThreadId != PushActionsStore.MainThread))
            threads[t.ThreadId] = Section(t.Notifications, t.Highlights);
        return (Section(main?.Notifications ?? 0, main?.Highlights ?? 0), threads);
    }

    private static JsonObject Section(long notifications, long highlights) =>
        new() { ["notification_count"] = notifications, ["highlight_count"] = highlights };
}
