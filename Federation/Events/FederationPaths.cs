using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Reads;
using Homeserver.Core.Identifiers;

namespace Federation.Events;

/// <summary>IDs in federation paths and queries, parsed once at the edge.</summary>
internal static class FederationPaths
{
    public static RoomId RoomId(string roomId) =>
        Homeserver.Core.Identifiers.RoomId.TryParse(roomId, out var id) ? id.Value : throw MatrixException.InvalidParam($"'{roomId}' is not a room ID");

    /// <summary>An event ID that cannot exist is answered like an unknown event.</summary>
    public static EventId EventId(string? eventId) =>
        Homeserver.Core.Identifiers.EventId.TryParse(eventId is null ? null : Segment(eventId), out var id)
            ? id.Value
            : throw MatrixException.NotFound(FederationRoomAccess.EventNotFound);

    /// <summary>The ID of the event a membership handshake carries; a malformed one is an invalid parameter.</summary>
    public static EventId HandshakeEventId(string eventId) => Homeserver.Core.Identifiers.EventId.Parse(Segment(eventId));

    /// <summary>
    /// A path segment as the asker meant it: the server decodes every escape but <c>%2F</c>, which room version 3
    /// event IDs need, as they hold <c>/</c>.
    /// </summary>
    private static string Segment(string value) => value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
