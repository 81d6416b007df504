namespace Homeserver.Core.Outbound;

/// <summary>
/// A remote destination that did not answer in full within the time cap, however slowly it kept sending. An
/// <see cref="HttpRequestException"/>, so callers treat it as they treat a destination that is down.
/// </summary>
public sealed class OutboundTimeoutException(Uri? uri, TimeSpan timeout)
    : HttpRequestException($"{uri} did not answer in full within {timeout.TotalSeconds:0.#} s", new TimeoutException());
