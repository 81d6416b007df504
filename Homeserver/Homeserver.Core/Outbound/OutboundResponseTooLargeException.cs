namespace Homeserver.Core.Outbound;

/// <summary>
/// A remote answer longer than the caller's cap: reading stopped there. An <see cref="HttpRequestException"/>, so
/// callers treat it as they treat a destination that is down.
/// </summary>
public sealed class OutboundResponseTooLargeException(Uri? uri, long maxBytes)
    : HttpRequestException($"The answer of {uri} is longer than {maxBytes} bytes");
