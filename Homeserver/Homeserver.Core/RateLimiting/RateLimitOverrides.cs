using System.Collections.Concurrent;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Hosting;

namespace Homeserver.Core.RateLimiting;

/// <summary>
/// Per-user overrides of every per-account rate limit, set by admins (Synapse's <c>override_ratelimit</c>). They are
/// kept in the database and read from memory, because the rate limiter picks a request's bucket synchronously; the
/// copy is loaded at start, changed when a write commits, and reloaded for a user when another node changed theirs
/// (<see cref="RemoteRateLimitOverrides"/>), so an override takes effect on every node at once.
/// </summary>
public sealed class RateLimitOverrides(Database db) : IHostedService
{
    private const string SelectAll = "SELECT user_id, messages_per_second, burst_count FROM ratelimit_overrides";
    private const string SelectOne = SelectAll + " WHERE user_id = @UserId";
    private const string Upsert = """
        INSERT INTO ratelimit_overrides (user_id, messages_per_second, burst_count) VALUES (@UserId, @MessagesPerSecond, @BurstCount)
        ON CONFLICT (user_id) DO UPDATE SET messages_per_second = excluded.messages_per_second, burst_count = excluded.burst_count
        """;
    private const string Delete = "DELETE FROM ratelimit_overrides WHERE user_id = @UserId";

    private readonly ConcurrentDictionary<string, RateLimitOverride> _byUser = new(StringComparer.Ordinal);

    private sealed class Row
    {
        public string UserId { get; set; } = "";
        public long MessagesPerSecond { get; set; }
        public long BurstCount { get; set; }
    }

    public RateLimitOverride? Get(string userId) => _byUser.GetValueOrDefault(userId);

    public async Task SetAsync(StreamTransaction st, string userId, RateLimitOverride value, CancellationToken ct)
    {
        await st.Connection.RunAsync(Upsert, new { UserId = userId, value.MessagesPerSecond, value.BurstCount }, ct, st.Transaction);
        st.OnCommitted(() => _byUser[userId] = value);
        st.PublishAfterCommit(new StreamUpdate(StreamNames.RateLimitOverrides, 0, [userId]));
    }

    public async Task DeleteAsync(StreamTransaction st, string userId, CancellationToken ct)
    {
        await st.Connection.RunAsync(Delete, new { UserId = userId }, ct, st.Transaction);
        st.OnCommitted(() => _byUser.TryRemove(userId, out _));
        st.PublishAfterCommit(new StreamUpdate(StreamNames.RateLimitOverrides, 0, [userId]));
    }

    /// <summary>Reads the overrides of <paramref name="userIds"/> again, as another node left them.</summary>
    public async Task ReloadAsync(IEnumerable<string> userIds, CancellationToken ct)
    {
        foreach (var userId in userIds)
        {
            if (await db.ReadAsync(c => c.FirstOrDefaultAsync<Row>(SelectOne, new { UserId = userId }, ct), ct) is { } row)
                _byUser[userId] = new RateLimitOverride(row.MessagesPerSecond, row.BurstCount);
            else
                _byUser.TryRemove(userId, out _);
        }
    }

    /// <summary>Reads every override again: changes made while this node heard nothing from the others.</summary>
    public async Task ReloadAllAsync(CancellationToken ct)
    {
        var rows = await db.ReadAsync(c => c.ListAsync<Row>(SelectAll, null, ct), ct);
        foreach (var row in rows)
            _byUser[row.UserId] = new RateLimitOverride(row.MessagesPerSecond, row.BurstCount);
        foreach (var userId in _byUser.Keys.Except(rows.Select(r => r.UserId), StringComparer.Ordinal))
            _byUser.TryRemove(userId, out _);
    }

    public Task StartAsync(CancellationToken cancellationToken) => ReloadAllAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
