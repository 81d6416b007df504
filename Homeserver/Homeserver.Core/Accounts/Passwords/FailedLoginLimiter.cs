using System.Threading.RateLimiting;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.RateLimiting;

namespace Homeserver.Core.Accounts.Passwords;

/// <summary>
/// Counts failed password checks per target account, whatever address they come from and whichever endpoint
/// takes the password (login or a UIA password stage), so guessing one user's password is slowed down
/// everywhere alike (Synapse's <c>rc_login.failed_attempts</c>).
/// </summary>
public sealed class FailedLoginLimiter(RateLimitsOptions limits) : IDisposable
{
    private readonly RateLimitsOptions _limits = limits;
    private readonly PartitionedRateLimiter<string> _limiter = TokenBuckets.PerKey(limits, limits.LoginFailedAttempts);

    /// <summary>Throws 429 when the account has used up its failed attempts.</summary>
    public void EnsureAllowed(UserId userId)
    {
        if (_limits.Enabled && _limiter.GetStatistics(userId.ToString()) is { CurrentAvailablePermits: <= 0 })
            throw new RateLimitedException(TokenBuckets.RefillMs(_limits.LoginFailedAttempts), "rate_limits.login_failed_attempts");
    }

    public void RecordFailure(UserId userId)
    {
        using var _ = _limiter.AttemptAcquire(userId.ToString(), 1);
    }

    public void Dispose() => _limiter.Dispose();
}
