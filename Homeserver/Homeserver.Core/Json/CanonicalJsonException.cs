namespace Homeserver.Core.Json;

/// <summary>
/// Thrown when a JSON value cannot be represented as Matrix canonical JSON
/// (floats, integers outside ±(2^53−1), duplicate keys, invalid Unicode).
/// The message names the offending location so it can be returned to clients as M_BAD_JSON.
/// </summary>
public sealed class CanonicalJsonException : Exception
{
    public CanonicalJsonException(string message)
        : base(message)
    {
    }

    public CanonicalJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>JSONPath-like location of the offending value, e.g. <c>$.content.body</c>.</summary>
    public string? Path { get; init; }
}
