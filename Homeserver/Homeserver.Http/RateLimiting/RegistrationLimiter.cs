using System.Threading.RateLimiting;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.RateLimiting;

/// <summary>
/// <c>rate_limits.registration</c> for <c>POST /register</c>, per client address, charged as Synapse charges it:
/// every request is refused while the bucket is empty, but only a request that creates an account or fails a
/// UIA stage takes a token. The spec's first round trip (the 401 challenge) therefore costs nothing, and a burst
/// of 3 allows 3 registrations. Challenges cannot be flooded for free: every request also takes a token from a
/// second bucket, ten times the size and rate, which a client that completes its registrations never empties.
/// </summary>
public sealed class RegistrationLimiter(RateLimitsOptions limits) : IDisposable
{
    private const int RequestsPerRegistration = 10;
    private const string Limit = "rate_limits.registration";
    private readonly RateLimitsOptions _limits = limits;
    private readonly PartitionedRateLimiter<string> _registrations = TokenBuckets.PerKey(limits, limits.Registration);
    private readonly PartitionedRateLimiter<string> _requests = TokenBuckets.PerKey(limits, new RateLimitOptions
    {
        PerSecond = limits.Registration.PerSecond * RequestsPerRegistration,
        BurstCount = limits.Registration.BurstCount * RequestsPerRegistration,
    });

    /// <summary>At the start of every request: 429 while the address has no registration left, or is flooding requests.</summary>
    public void AdmitRequest(HttpContext ctx)
    {
        var address = RateLimitPolicies.Address(ctx);
        if (_limits.Enabled && _registrations.GetStatistics(address) is { CurrentAvailablePermits: <= 0 })
            throw new RateLimitedException(TokenBuckets.RefillMs(_limits.Registration), Limit);
        Take(_requests, address);
    }

    /// <summary>Before creating an account: takes the address's token, 429 when a concurrent request took the last one.</summary>
    public void TakeRegistration(HttpContext ctx) => Take(_registrations, RateLimitPolicies.Address(ctx));

    /// <summary>A failed UIA stage costs a token like a registration, so guessing registration tokens is limited.</summary>
    public void ChargeFailure(HttpContext ctx)
    {
        using var _ = _registrations.AttemptAcquire(RateLimitPolicies.Address(ctx), 1);
    }

    public void Dispose()
    {
        _registrations.Dispose();
        _requests.Dispose();
    }

    private static void Take(PartitionedRateLimiter<string> limiter, string address)
    {
        using var lease = limiter.AttemptAcquire(address, 1);
        if (!lease.IsAcquired)
            throw new RateLimitedException(TokenBuckets.RetryAfterMs(lease), Limit);
    }
}
