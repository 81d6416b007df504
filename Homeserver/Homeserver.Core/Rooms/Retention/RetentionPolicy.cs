using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.Rooms.Retention;

/// <summary>
/// A room's effective retention policy, as Synapse works it out: the room's <c>m.room.retention</c> state when it
/// has one (a value that is not a non-negative integer of milliseconds counts as unset), the server's default policy
/// otherwise, and <c>max_lifetime</c> held within the configured allowed bounds.
/// </summary>
public sealed record RetentionPolicy(TimeSpan? MinLifetime, TimeSpan? MaxLifetime)
{
    public const string EventType = "m.room.retention";

    /// <param name="content">The content of the room's retention state event, or null when it has none.</param>
    public static RetentionPolicy For(JsonObject? content, RetentionOptions options)
    {
        var policy = content is null
            ? new RetentionPolicy(options.DefaultPolicy.MinLifetime?.Value, options.DefaultPolicy.MaxLifetime?.Value)
            : new RetentionPolicy(Lifetime(content, "min_lifetime"), Lifetime(content, "max_lifetime"));
        var max = policy.MaxLifetime;
        if (max is { } m && options.AllowedLifetimeMin?.Value is { } low && m < low)
            max = low;
        if (max is { } n && options.AllowedLifetimeMax?.Value is { } high && n > high)
            max = high;
        return policy with { MaxLifetime = max };
    }

    private static TimeSpan? Lifetime(JsonObject content, string key) =>
        content[key] is JsonValue v && v.TryGetValue<long>(out var ms) && ms >= 0 ? TimeSpan.FromMilliseconds(ms) : null;
}
