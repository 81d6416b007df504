namespace Homeserver.Core.Configuration;

/// <summary>
/// Redis, the bus between several nodes that share one PostgreSQL database: committed stream positions, typing and
/// session revocations go through it, and the rate-limit buckets and WebSocket cap are counted in it. Off for a single server.
/// </summary>
public sealed class RedisOptions
{
    public bool Enabled { get; set; }
    /// <summary>A StackExchange.Redis configuration string: <c>host:port</c>, then options such as <c>password=…</c> or <c>ssl=true</c>.</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";
    /// <summary>Prefix of the channel and keys, so that several homeservers can share one Redis.</summary>
    public string Prefix { get; set; } = "homeserver";
}
