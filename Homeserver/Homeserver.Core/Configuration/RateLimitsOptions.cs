namespace Homeserver.Core.Configuration;

/// <summary>Token-bucket limits; defaults are Synapse's, which clients are tuned to.</summary>
public sealed class RateLimitsOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Events sent by clients (messages, state, redactions, kicks and bans), per account.</summary>
    public RateLimitOptions Message { get; set; } = new() { PerSecond = 0.2, BurstCount = 10 };
    /// <summary>Registration attempts, per client IP.</summary>
    public RateLimitOptions Registration { get; set; } = new() { PerSecond = 0.17, BurstCount = 3 };
    /// <summary>Login attempts, per client IP.</summary>
    public RateLimitOptions Login { get; set; } = new() { PerSecond = 0.003, BurstCount = 5 };
    /// <summary>Failed password checks (login and UIA password stages), per target account, whatever the address.</summary>
    public RateLimitOptions LoginFailedAttempts { get; set; } = new() { PerSecond = 0.17, BurstCount = 3 };
    /// <summary>Token refreshes (<c>POST /refresh</c>, unauthenticated), per client IP.</summary>
    public RateLimitOptions Refresh { get; set; } = new() { PerSecond = 0.5, BurstCount = 10 };
    /// <summary>
    /// Lookups of OpenID tokens (federation's <c>GET /openid/userinfo</c>, unauthenticated), per client IP. An integration
    /// manager checks one token per user signing in, so this only stops guessing.
    /// </summary>
    public RateLimitOptions OpenidUserinfo { get; set; } = new() { PerSecond = 2, BurstCount = 20 };
    /// <summary>
    /// Notary key queries (<c>/_matrix/key/v2/query</c>, unauthenticated), per client IP: each may make us fetch the keys
    /// of servers it names. A server asks once per batch of servers it needs, so this only stops a flood.
    /// </summary>
    public RateLimitOptions KeyQuery { get; set; } = new() { PerSecond = 1, BurstCount = 10 };
    /// <summary>Rooms created, per account.</summary>
    public RateLimitOptions RoomCreation { get; set; } = new() { PerSecond = 0.016, BurstCount = 10 };
    /// <summary>Joins and knocks, per account.</summary>
    public RateLimitOptions Joins { get; set; } = new() { PerSecond = 0.1, BurstCount = 10 };
    /// <summary>Invites sent, per account.</summary>
    public RateLimitOptions Invites { get; set; } = new() { PerSecond = 0.3, BurstCount = 10 };
    /// <summary>Event and room reports, per account.</summary>
    public RateLimitOptions Reports { get; set; } = new() { PerSecond = 1, BurstCount = 5 };
    /// <summary>URL previews asked for, per account: each may make the server fetch a page and an image.</summary>
    public RateLimitOptions UrlPreview { get; set; } = new() { PerSecond = 1, BurstCount = 10 };
    /// <summary>Presence set through <c>PUT /presence</c>, per account.</summary>
    public RateLimitOptions Presence { get; set; } = new() { PerSecond = 0.1, BurstCount = 1 };
    /// <summary>
    /// Typing notices, per account. Synapse has no such limit; ours is loose enough for a client that starts,
    /// refreshes and stops typing as a person types, and stops a script waking every member's sync thousands of times.
    /// </summary>
    public RateLimitOptions Typing { get; set; } = new() { PerSecond = 1, BurstCount = 10 };
}
