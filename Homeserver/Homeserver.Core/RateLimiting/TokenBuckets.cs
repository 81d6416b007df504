using System.Threading.RateLimiting;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.RateLimiting;

/// <summary>A configured limit as the options of a token bucket that refuses at once rather than queueing.</summary>
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
}
