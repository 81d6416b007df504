using System.Collections.Concurrent;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Hosting;

namespace Homeserver.Core.RateLimiting;

/// <summary>
/// Per-user overrides of every per-account rate limit, set by admins (Synapse's <c>override_ratelimit</c>). They are
/// kept in the database and read from memory, because the rate limiter picks a request's bucket synchronously; the
/// copy is loaded at start and changed with each write on this node (like the buckets themselves, another node sees
/// a change when it next starts).
/// </summary>
public sealed class RateLimitOverrides(Database db) : IHostedService
{
    private const string SelectAll = "SELECT user_id, messages_per_second, burst_count FROM ratelimit_overrides";
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

    public async Task SetAsync(string userId, RateLimitOverride value, CancellationToken ct)
    {
        await db.WriteAsync((c, tx) => c.RunAsync(Upsert, new { UserId = userId, value.MessagesPerSecond, value.BurstCount }, ct, tx), ct);
        _byUser[userId] = value;
    }

    public async Task DeleteAsync(string userId, CancellationToken ct)
    {
        await db.WriteAsync((c, tx) => c.RunAsync(Delete, new { UserId = userId }, ct, tx), ct);
        _byUser.TryRemove(userId, out _);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var row in await db.ReadAsync(c => c.ListAsync<Row>(SelectAll, null, cancellationToken), cancellationToken))
            _byUser[row.UserId] = new RateLimitOverride(row.MessagesPerSecond, row.BurstCount);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
