namespace Homeserver.Core.RateLimiting;

/// <summary>A user's own rate in place of the configured ones (Synapse's <c>override_ratelimit</c>); 0 actions a second is no limit.</summary>
public sealed record RateLimitOverride(long MessagesPerSecond, long BurstCount)
{
    public bool Unlimited => MessagesPerSecond == 0;
}
