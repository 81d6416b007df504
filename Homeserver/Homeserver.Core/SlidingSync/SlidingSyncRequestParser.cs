using System.Globalization;
using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using static Homeserver.Core.SlidingSync.SlidingSyncRequest;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// Reads a sliding sync body into a <see cref="SlidingSyncRequest"/>: a field of the wrong shape is 400 <c>M_BAD_JSON</c>
/// naming it, a value out of bounds 400 <c>M_INVALID_PARAM</c>; fields it does not know are ignored, as Synapse ignores them.
/// </summary>
public static class SlidingSyncRequestParser
{
    /// <summary>Synapse's bounds: lists per request, a list name's length and a timeline's length.</summary>
    public const int MaxLists = 100;
    public const int MaxListNameLength = 64;
    public const int MaxTimelineLimit = 1000;

    /// <summary>The most to-device messages one response carries, the spec's recommended cap.</summary>
    public const int MaxToDevice = Sync.Providers.ToDeviceSyncProvider.MaxPerSync;

    public static SlidingSyncRequest Parse(UserId userId, string deviceId, JsonElement body)
    {
        var connId = OptionalString(body, "conn_id", "conn_id") ?? "";
        var txnId = OptionalString(body, "txn_id", "txn_id");
        var lists = new Dictionary<string, RoomList>(StringComparer.Ordinal);
        if (Object(body, "lists", "lists") is { } listsElement)
            foreach (var list in listsElement.EnumerateObject())
            {
                if (lists.Count == MaxLists)
                    throw MatrixException.InvalidParam($"At most {MaxLists} lists");
                if (list.Name.Length > MaxListNameLength)
                    throw MatrixException.InvalidParam($"A list name is at most {MaxListNameLength} characters");
                lists[list.Name] = ParseList(list.Value, "lists." + list.Name);
            }
        var subscriptions = new Dictionary<string, RoomConfig>(StringComparer.Ordinal);
        if (Object(body, "room_subscriptions", "room_subscriptions") is { } subs)
            foreach (var sub in subs.EnumerateObject())
            {
                if (!RoomId.TryParse(sub.Name, out _))
                    throw MatrixException.InvalidParam($"room_subscriptions: '{sub.Name}' is not a room ID");
                subscriptions[sub.Name] = ParseConfig(sub.Value, "room_subscriptions." + sub.Name);
            }
        var extensions = Object(body, "extensions", "extensions") is { } ext ? ParseExtensions(ext) : ExtensionsRequest.None;
        return new SlidingSyncRequest(userId, deviceId, connId, txnId, lists, subscriptions, extensions);
    }

    private static RoomList ParseList(JsonElement list, string path)
    {
        if (list.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{path} must be an object");
        var ranges = new List<(int, int)>();
        if (Array(list, "ranges", path) is { } rangesElement)
            foreach (var range in rangesElement.EnumerateArray())
            {
                if (range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2
                    || !range[0].TryGetInt32(out var start) || !range[1].TryGetInt32(out var end))
                    throw MatrixException.BadJson($"{path}.ranges holds [start, end] pairs of integers");
                if (start < 0 || end < start)
                    throw MatrixException.InvalidParam($"{path}.ranges: [{start}, {end}] is not a range");
                ranges.Add((start, end));
            }
        var filters = Object(list, "filters", path) is { } f ? ParseFilters(f, path + ".filters") : RoomListFilters.None;
        return new RoomList(ranges, ParseConfig(list, path), filters);
    }

    private static RoomConfig ParseConfig(JsonElement config, string path)
    {
        if (config.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{path} must be an object");
        var pairs = new List<(string, string)>();
        if (Array(config, "required_state", path) is { } state)
            foreach (var pair in state.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                    || pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.String)
                    throw MatrixException.BadJson($"{path}.required_state holds [event_type, state_key] pairs of strings");
                pairs.Add((pair[0].GetString()!, pair[1].GetString()!));
            }
        var limit = 0;
        if (config.TryGetProperty("timeline_limit", out var l) && l.ValueKind != JsonValueKind.Null)
        {
            if (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out limit))
                throw MatrixException.BadJson($"{path}.timeline_limit must be an integer");
            if (limit < 0 || limit > MaxTimelineLimit)
                throw MatrixException.InvalidParam($"{path}.timeline_limit must be between 0 and {MaxTimelineLimit}");
        }
        return new RoomConfig(new RequiredState(pairs), limit);
    }

    private static RoomListFilters ParseFilters(JsonElement f, string path) => new(
        Bool(f, "is_dm", path), Bool(f, "is_invite", path), Bool(f, "is_encrypted", path),
        NullableStrings(f, "room_types", path), NullableStrings(f, "not_room_types", path),
        Strings(f, "spaces", path), Strings(f, "tags", path), Strings(f, "not_tags", path));

    private static ExtensionsRequest ParseExtensions(JsonElement ext)
    {
        var toDevice = new ToDeviceRequest(false, 0, null);
        if (Object(ext, "to_device", "extensions") is { } td)
        {
            var limit = MaxToDevice;
            if (td.TryGetProperty("limit", out var l) && l.ValueKind != JsonValueKind.Null && (!l.TryGetInt32(out limit) || limit < 1))
                throw MatrixException.InvalidParam("extensions.to_device.limit must be a positive integer");
            long? since = OptionalString(td, "since", "extensions.to_device") is { } s
                ? long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw MatrixException.InvalidParam("extensions.to_device.since is not a token of this server")
                : null;
            toDevice = new ToDeviceRequest(Bool(td, "enabled", "extensions.to_device") ?? false, Math.Min(limit, MaxToDevice), since);
        }
        var e2ee = Object(ext, "e2ee", "extensions") is { } e && (Bool(e, "enabled", "extensions.e2ee") ?? false);
        return new ExtensionsRequest(toDevice, e2ee, Scope(ext, "account_data"), Scope(ext, "receipts"), Scope(ext, "typing"));
    }

    private static RoomScope Scope(JsonElement ext, string name)
    {
        if (Object(ext, name, "extensions") is not { } scope)
            return new RoomScope(false, null, null);
        var path = "extensions." + name;
        return new RoomScope(Bool(scope, "enabled", path) ?? false, Strings(scope, "lists", path), Strings(scope, "rooms", path));
    }

    private static JsonElement? Object(JsonElement parent, string name, string path) =>
        Field(parent, name, path, JsonValueKind.Object, "an object");

    private static JsonElement? Array(JsonElement parent, string name, string path) =>
        Field(parent, name, path, JsonValueKind.Array, "an array");

    private static JsonElement? Field(JsonElement parent, string name, string path, JsonValueKind kind, string what)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == kind ? value : throw MatrixException.BadJson($"{path}.{name} must be {what}");
    }

    private static string? OptionalString(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw MatrixException.BadJson($"{path} must be a string");

    private static bool? Bool(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw MatrixException.BadJson($"{path}.{name} must be a boolean");

    private static List<string>? Strings(JsonElement parent, string name, string path) =>
        Array(parent, name, path) is { } array
            ? array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw MatrixException.BadJson($"{path}.{name} holds strings")).ToList()
            : null;

    private static List<string?>? NullableStrings(JsonElement parent, string name, string path) =>
        Array(parent, name, path) is { } array
            ? array.EnumerateArray().Select(v => v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Null => null,
                _ => throw MatrixException.BadJson($"{path}.{name} holds strings or null"),
            }).ToList()
            : null;
}
