using System.Threading.RateLimiting;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;

namespace Homeserver.Http.RateLimiting;

/// <summary>
/// Counts failed logins per target account, whatever address they come from, so guessing one user's
/// password from many IPs is slowed down as well (Synapse's <c>rc_login.failed_attempts</c>).
/// </summary>
public sealed class FailedLoginLimiter(RateLimitsOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(user =>
        options.Enabled
            ? RateLimitPartition.GetTokenBucketLimiter(user, _ => RateLimitPolicies.BucketOptions(options.LoginFailedAttempts))
            : RateLimitPartition.GetNoLimiter(user));

    /// <summary>Throws 429 when the account has used up its failed attempts.</summary>
    public void EnsureAllowed(string userId)
    {
        if (options.Enabled && _limiter.GetStatistics(userId) is { CurrentAvailablePermits: <= 0 })
            throw new RateLimitedException((long)Math.Ceiling(1000 / options.LoginFailedAttempts.PerSecond));
    }

    public void RecordFailure(string userId)
    {
        using var _ = _limiter.AttemptAcquire(userId, 1);
    }

    public void Dispose() => _limiter.Dispose();
}
