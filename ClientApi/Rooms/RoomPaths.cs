using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.Visibility;

namespace ClientApi.Rooms;

/// <summary>Checks shared by the room endpoints: IDs in the path parsed, and canonical-JSON event content.</summary>
internal static class RoomPaths
{
    public static RoomId RoomId(string roomId) =>
        Homeserver.Core.Identifiers.RoomId.TryParse(roomId, out var id) ? id.Value : throw MatrixException.InvalidParam($"'{roomId}' is not a room ID");

    public static UserId UserId(string? userId) =>
        Homeserver.Core.Identifiers.UserId.TryParse(userId, out var id) ? id.Value : throw MatrixException.InvalidParam($"'{userId}' is not a user ID");

    /// <summary>
    /// An event a request names: one whose ID cannot exist gets the same 404 as any unknown event
    /// (<see cref="RoomEventGuard"/>), with the endpoint's own message.
    /// </summary>
    public static EventId EventId(string eventId, string notFound = RoomEventGuard.NotFound) =>
        Homeserver.Core.Identifiers.EventId.TryParse(Segment(eventId), out var id) ? id.Value : throw MatrixException.NotFound(notFound);

    /// <summary>
    /// A path segment as the client meant it. The server decodes every escape in the path but <c>%2F</c>, which would
    /// split the segment, so route values keep it; room version 3 event IDs hold <c>/</c>, which clients escape so.
    /// </summary>
    public static string Segment(string value) =>
        value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Event content must be representable in canonical JSON (no floats, integers within ±2^53), or it could never be signed.</summary>
    public static JsonObject Content(JsonElement body)
    {
        if (!CanonicalJson.TryValidate(body, out var error))
            throw MatrixException.BadJson(error ?? "Content is not valid canonical JSON");
        return JsonNode.Parse(body.GetRawText())!.AsObject();
    }

    public static string? OptionalString(JsonElement body, string key) =>
        body.TryGetProperty(key, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Null => null,
            _ => throw MatrixException.BadJson($"'{key}' must be a string"),
        } : null;
}
