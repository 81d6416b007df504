namespace Homeserver.Core.Json;

/// <summary>
/// A value a request may leave out, where leaving it out (keep what is there) differs from giving null (clear it),
/// as in the partial updates of Synapse's admin API. <c>default</c> is the value left out.
/// </summary>
public readonly record struct Optional<T>(bool IsSet, T Value);

public static class Optional
{
    public static Optional<T> Of<T>(T value) => new(true, value);
}
