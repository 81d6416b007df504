namespace Homeserver.Core.Events;

/// <summary>How a room version forms event IDs (spec "Room Versions", section "Event IDs" of each version).</summary>
public enum EventIdFormat
{
    /// <summary>Room versions 1–2: <c>$opaque:server</c>, chosen by the sending server and carried in the event.</summary>
    ServerGenerated,

    /// <summary>Room version 3: <c>$</c> + the reference hash in standard unpadded Base64.</summary>
    ReferenceHash,

    /// <summary>Room version 4 onwards: <c>$</c> + the reference hash in URL-safe unpadded Base64.</summary>
    UrlSafeReferenceHash,
}
