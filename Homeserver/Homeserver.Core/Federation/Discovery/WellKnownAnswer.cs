namespace Homeserver.Core.Federation.Discovery;

/// <summary>
/// What <c>/.well-known/matrix/server</c> said: the delegated server name, or null when it failed (no answer, not
/// 200, not the schema); and how long the answer may be kept, null for a failure (the resolver backs off instead).
/// </summary>
public sealed record WellKnownAnswer(string? Server, TimeSpan? CacheFor)
{
    public static readonly WellKnownAnswer Failed = new(null, null);
}
