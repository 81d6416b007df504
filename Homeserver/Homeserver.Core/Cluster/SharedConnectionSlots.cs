using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Homeserver.Core.Cluster;

/// <summary>
/// Caps on long-lived connections counted across the nodes: one sorted set per capped key in Redis, holding a slot per
/// open connection with the time it expires. The node holding a slot renews it every <see cref="RenewInterval"/>, and
/// a slot not renewed for <see cref="Lifetime"/> (its node died) no longer counts, so a dead node frees its slots
/// within that time. Slots taken while Redis was unreachable are counted by their node alone.
/// </summary>
public sealed class SharedConnectionSlots(RedisConnection redis, TimeProvider time, ILogger<SharedConnectionSlots> log) : BackgroundService
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(2);

    // Drops the expired slots, then takes one unless the cap is reached: 1 when taken, 0 when full.
    private const string Take = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
        return 1
        """;

    // Moves the slot's expiry on, if it still has one.
    private const string Renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1]) == 1 then
          redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
        end
        return 1
        """;

    private readonly ConcurrentDictionary<string, RedisKey> _held = new();

    /// <summary>
    /// Takes a slot of <paramref name="key"/> unless <paramref name="cap"/> are taken across the nodes: the slot (to
    /// dispose when the connection ends), not taken when full, or null when Redis cannot say.
    /// </summary>
    public async Task<Slot?> TakeAsync(string key, int cap, CancellationToken ct)
    {
        if (!redis.Multiplexer.IsConnected)
            return null;
        var setKey = (RedisKey)$"{redis.Prefix}:connections:{key}";
        var member = Guid.NewGuid().ToString("N");
        try
        {
            var taken = (long)await redis.Database.ScriptEvaluateAsync(Take, [setKey], [member, cap, (long)Lifetime.TotalMilliseconds]).WaitAsync(ct) == 1;
            if (taken)
                _held[member] = setKey;
            return new Slot(this, taken ? member : null);
        }
        catch (RedisException e)
        {
            log.LogDebug(e, "Could not count the connections of {Key} across the nodes; counting on this node alone", key);
            return null;
        }
    }

    private async Task ReleaseAsync(string member)
    {
        if (!_held.TryRemove(member, out var setKey))
            return;
        try
        {
            await redis.Database.SortedSetRemoveAsync(setKey, member, CommandFlags.FireAndForget);
        }
        catch (RedisException e)
        {
            // It expires unrenewed.
            log.LogDebug(e, "Could not give up a connection slot of {Key}", setKey);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(RenewInterval, time, stoppingToken);
                if (_held.IsEmpty || !redis.Multiplexer.IsConnected)
                    continue;
                try
                {
                    await Task.WhenAll(_held.Select(h =>
                        redis.Database.ScriptEvaluateAsync(Renew, [h.Value], [h.Key, (long)Lifetime.TotalMilliseconds])));
                }
                catch (RedisException e)
                {
                    log.LogWarning("Could not renew this node's {Count} connection slots in Redis: {Error}", _held.Count, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A slot taken (<see cref="Taken"/>), or the answer that the cap was reached.</summary>
    public sealed class Slot(SharedConnectionSlots owner, string? member) : IAsyncDisposable
    {
        public bool Taken => member is not null;

        public async ValueTask DisposeAsync()
        {
            if (member is not null)
                await owner.ReleaseAsync(member);
        }
    }
}
