using System.Threading.RateLimiting;
using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Homeserver.Core.RateLimiting;

/// <summary>
/// One token bucket shared by every node, kept in Redis and taken from by one atomic script, so a client spreading its
/// requests over the nodes meets the limit it would meet on one. While Redis cannot be reached the node falls back to
/// a bucket of its own: each node then limits on its own, which neither refuses everyone nor lets everything through.
/// </summary>
internal sealed class RedisTokenBucket(RedisConnection redis, RedisKey key, RateLimitOptions limit, ILogger log) : RateLimiter
{
    // Refills by elapsed time on Redis's clock, so nodes whose clocks differ share one bucket; answers how many
    // milliseconds until a token is there (0 when one was taken). The key lives as long as a refill takes.
    private const string Take = """
        local capacity = tonumber(ARGV[1])
        local per_ms = tonumber(ARGV[2])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(b[1]) or capacity
        local at = tonumber(b[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
        local wait = 0
        if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / per_ms) end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
        redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
        return wait
        """;

    private readonly TokenBucketRateLimiter _local = new(TokenBuckets.For(limit));
    private readonly RedisValue[] _args = [limit.BurstCount, limit.PerSecond / 1000];

    private long _lastTaken = Environment.TickCount64;

    // The bucket's state is in Redis, so the limiter may be dropped once unused for a while, unless its fallback holds some.
    public override TimeSpan? IdleDuration =>
        _local.IdleDuration is null ? null : TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastTaken));

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    // Redis is asked asynchronously only: the caller (ASP.NET Core's rate limiter) asks again that way when this refuses.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        redis.Multiplexer.IsConnected ? Lease.Refused(TimeSpan.Zero) : _local.AttemptAcquire(permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (!redis.Multiplexer.IsConnected)
            return _local.AttemptAcquire(permitCount);
        Volatile.Write(ref _lastTaken, Environment.TickCount64);
        try
        {
            var wait = (long)await redis.Database.ScriptEvaluateAsync(Take, [key], _args);
            return wait == 0 ? Lease.Granted : Lease.Refused(TimeSpan.FromMilliseconds(wait));
        }
        catch (RedisException e)
        {
            log.LogDebug(e, "Could not take from the shared bucket {Key}; limiting on this node alone", key);
            return _local.AttemptAcquire(permitCount);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _local.Dispose();
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _local.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public static Lease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
