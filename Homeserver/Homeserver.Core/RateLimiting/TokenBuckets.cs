using System.Threading.RateLimiting;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.RateLimiting;

/// <summary>
/// A configured limit as token buckets that refuse at once rather than queue, one per key, and no limit at all
/// while <c>rate_limits.enabled</c> is off; and how long a refused client is told to wait.
/// </summary>
public static class TokenBuckets
{
    public static TokenBucketRateLimiterOptions For(RateLimitOptions limit) => new()
    {
        TokenLimit = limit.BurstCount,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1 / limit.PerSecond),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>The bucket of <paramref name="key"/>, or no limit while rate limiting is off.</summary>
    public static RateLimitPartition<string> Partition(string key, RateLimitsOptions all, RateLimitOptions limit) =>
        all.Enabled
            ? RateLimitPartition.GetTokenBucketLimiter(key, _ => For(limit))
            : RateLimitPartition.GetNoLimiter(key);

    /// <summary>One bucket per key.</summary>
    public static PartitionedRateLimiter<string> PerKey(RateLimitsOptions all, RateLimitOptions limit) =>
        PartitionedRateLimiter.Create<string, string>(key => Partition(key, all, limit));

    /// <summary>The wait until an empty bucket of <paramref name="limit"/> holds a token again.</summary>
    public static long RefillMs(RateLimitOptions limit) => (long)Math.Ceiling(1000 / limit.PerSecond);

    /// <summary>The wait a refused lease names, or a second when it names none.</summary>
    public static long RetryAfterMs(RateLimitLease lease) =>
        (long)Math.Ceiling((lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1)).TotalMilliseconds);
}
