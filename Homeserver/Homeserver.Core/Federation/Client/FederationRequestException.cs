namespace Homeserver.Core.Federation.Client;

/// <summary>
/// A request to another server that did not give a usable answer: refused, an error status, not JSON, or federation
/// is off. An <see cref="HttpRequestException"/>, so callers treat it as they treat a server that is down.
/// </summary>
public sealed class FederationRequestException(string message, int? status = null) : HttpRequestException(message)
{
    /// <summary>The remote's HTTP status when it answered; null when no answer came.</summary>
    public int? Status { get; } = status;
}
