using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Filters;

/// <summary>
/// Rejects filters whose known fields have the wrong JSON type, so a stored filter can always be applied
/// later by sync, and whose room and sender lists name something other than room and user IDs (as Synapse's
/// filter schema does). Unknown fields are kept: clients send extensions we must round-trip.
/// </summary>
public static class SyncFilterShape
{
    private static readonly string[] StringArrays = ["types", "not_types", "senders", "not_senders", "rooms", "not_rooms", "event_fields"];
    private static readonly string[] RoomLists = ["rooms", "not_rooms"];
    private static readonly string[] SenderLists = ["senders", "not_senders"];
    private static readonly string[] Booleans = ["lazy_load_members", "include_redundant_members", "contains_url", "unread_thread_notifications", "include_leave"];

    public static void Validate(JsonElement filter)
    {
        Walk(filter, "filter");
        if (filter.TryGetProperty("event_format", out var f) && !(f.ValueKind == JsonValueKind.String && f.GetString() is "client" or "federation"))
            throw MatrixException.BadJson("event_format must be 'client' or 'federation'");
    }

    private static void Walk(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{path} must be an object");
        foreach (var p in e.EnumerateObject())
        {
            var at = $"{path}.{p.Name}";
            if (StringArrays.Contains(p.Name) && (p.Value.ValueKind != JsonValueKind.Array || p.Value.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String)))
                throw MatrixException.BadJson($"{at} must be an array of strings");
            if (RoomLists.Contains(p.Name) && p.Value.EnumerateArray().Any(x => !RoomId.TryParse(x.GetString(), out _)))
                throw MatrixException.BadJson($"{at} must list room IDs");
            if (SenderLists.Contains(p.Name) && p.Value.EnumerateArray().Any(x => !UserId.TryParse(x.GetString(), out _)))
                throw MatrixException.BadJson($"{at} must list user IDs");
            if (Booleans.Contains(p.Name) && p.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw MatrixException.BadJson($"{at} must be a boolean");
            if (p.Name == "limit" && (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt64(out var n) || n < 0))
                throw MatrixException.BadJson($"{at} must be a non-negative integer");
            if (p.Name is "room" or "timeline" or "state" or "ephemeral" or "account_data" or "presence")
                Walk(p.Value, at);
        }
    }
}
