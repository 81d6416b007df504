using Homeserver.Core.Storage;

namespace Homeserver.Core.Push.Delivery;

/// <summary>Reads <c>event_push_actions</c>, the durable queue push delivery works through, oldest first.</summary>
public sealed class PendingPushStore(Database db)
{
    private const string SelectAfter = """
        SELECT room_id, event_id, stream_ordering, actions, ts FROM event_push_actions
        WHERE user_id = @UserId AND stream_ordering > @After AND notif > 0
        ORDER BY stream_ordering LIMIT @Limit
        """;

    public Task<IReadOnlyList<PendingPush>> AfterAsync(string userId, long after, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<PendingPush>(SelectAfter, new { UserId = userId, After = after, Limit = limit }, ct), ct);
}
