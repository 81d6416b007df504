using System.Threading.RateLimiting;
using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.RateLimiting;

/// <summary>
/// The token buckets of the per-account and per-address request limits: this node's own on a single node, one in
/// Redis shared by every node when Redis is configured (<see cref="RedisTokenBucket"/>).
/// </summary>
public sealed class RateLimitBuckets(ILogger<RateLimitBuckets> log, RedisConnection? redis = null)
{
    /// <summary>
    /// The bucket of <paramref name="key"/> under the limit <paramref name="name"/> (keys of different limits are
    /// different buckets), or no limit while rate limiting is off.
    /// </summary>
    public RateLimitPartition<string> Partition(string name, string key, RateLimitsOptions all, RateLimitOptions limit) =>
        redis is null || !all.Enabled
            ? TokenBuckets.Partition(key, all, limit)
            : RateLimitPartition.Get(key, _ => new RedisTokenBucket(redis, $"{redis.Prefix}:ratelimit:{name}:{key}", limit, log));
}
