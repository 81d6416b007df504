using Homeserver.Core.Storage;

namespace Homeserver.Core.Push.Delivery;

// TEMPORARY until the push-actions branch brings the unread counts; delete at merge.
public sealed class TemporaryUnreadCount(Database db)
{
    private const string Count = """
        SELECT COUNT(*) FROM event_push_actions a WHERE a.user_id = @UserId AND a.notif > 0 AND a.stream_ordering > COALESCE(
            (SELECT MAX(e.stream_ordering) FROM receipts r JOIN events e ON e.event_id = r.event_id
             WHERE r.room_id = a.room_id AND r.user_id = a.user_id AND r.receipt_type IN ('m.read', 'm.read.private')), 0)
        """;

    public Task<long> TotalUnreadAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(Count, new { UserId = userId }, ct), ct);
}
