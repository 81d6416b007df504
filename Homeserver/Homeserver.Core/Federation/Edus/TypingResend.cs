namespace Homeserver.Core.Federation.Edus;

/// <summary>
/// How often our users' ongoing typing is sent again to the rooms' other servers: Synapse ends a notice from another
/// server after 60 s without news and sends its own again every 40 s, so we do the same. Not a config key; tests
/// register a shorter one.
/// </summary>
public sealed record TypingResend(TimeSpan Interval)
{
    public static readonly TypingResend Default = new(TimeSpan.FromSeconds(40));
}
