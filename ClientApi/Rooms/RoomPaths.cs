using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace ClientApi.Rooms;

/// <summary>Checks shared by the room endpoints: well-formed IDs in the path and canonical-JSON event content.</summary>
internal static class RoomPaths
{
    public static string RoomId(string roomId) =>
        Homeserver.Core.Identifiers.RoomId.TryParse(roomId, out _) ? roomId : throw MatrixException.InvalidParam($"'{roomId}' is not a room ID");

    public static string UserId(string? userId) =>
        userId is not null && Homeserver.Core.Identifiers.UserId.TryParse(userId, out _) ? userId : throw MatrixException.InvalidParam($"'{userId}' is not a user ID");

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
