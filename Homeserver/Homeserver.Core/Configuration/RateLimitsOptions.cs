namespace Homeserver.Core.Configuration;

/// <summary>Token-bucket limits; defaults are Synapse's, which clients are tuned to.</summary>
public sealed class RateLimitsOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Messages sent, per account.</summary>
    public RateLimitOptions Message { get; set; } = new() { PerSecond = 0.2, BurstCount = 10 };
    /// <summary>Registration attempts, per client IP.</summary>
    public RateLimitOptions Registration { get; set; } = new() { PerSecond = 0.17, BurstCount = 3 };
    /// <summary>Login attempts, per client IP.</summary>
    public RateLimitOptions Login { get; set; } = new() { PerSecond = 0.003, BurstCount = 5 };
    /// <summary>Failed login attempts, per target account, whatever the address.</summary>
    public RateLimitOptions LoginFailedAttempts { get; set; } = new() { PerSecond = 0.17, BurstCount = 3 };
}
