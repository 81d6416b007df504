using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// The spec's EventFilter and RoomEventFilter: event types (with <c>*</c> wildcards), senders, rooms,
/// <c>contains_url</c>, a limit, and the lazy-loading and thread-count switches sync reads. Exclusions win
/// over inclusions, as the spec says.
/// </summary>
public sealed record RoomEventFilter(IReadOnlyList<string>? Types, IReadOnlyList<string> NotTypes,
    IReadOnlyList<string>? Senders, IReadOnlyList<string> NotSenders, bool? ContainsUrl)
{
    public static RoomEventFilter None { get; } = new(null, [], null, [], null);

    public IReadOnlyList<string>? Rooms { get; init; }
    public IReadOnlyList<string> NotRooms { get; init; } = [];
    public int? Limit { get; init; }
    public bool LazyLoadMembers { get; init; }
    public bool IncludeRedundantMembers { get; init; }
    public bool UnreadThreadNotifications { get; init; }

    public static RoomEventFilter Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return None;
        JsonObject obj;
        try
        {
            obj = Json.JsonText.Parse(json) as JsonObject ?? throw MatrixException.BadJson("filter must be a JSON object");
        }
        catch (JsonException)
        {
            throw MatrixException.BadJson("filter is not valid JSON");
        }
        return FromJson(obj, "filter");
    }

    /// <summary>Reads a filter object; <paramref name="path"/> names it in error messages.</summary>
    public static RoomEventFilter FromJson(JsonObject? obj, string path)
    {
        if (obj is null)
            return None;
        return new RoomEventFilter(List(obj, "types", path), List(obj, "not_types", path) ?? [], List(obj, "senders", path), List(obj, "not_senders", path) ?? [],
            Bool(obj, "contains_url", path))
        {
            Rooms = List(obj, "rooms", path),
            NotRooms = List(obj, "not_rooms", path) ?? [],
            Limit = obj["limit"] switch
            {
                null => null,
                JsonValue v when v.TryGetValue<long>(out var l) && l >= 0 => (int)Math.Min(l, int.MaxValue),
                _ => throw MatrixException.BadJson($"{path}.limit must be a non-negative integer"),
            },
            LazyLoadMembers = Bool(obj, "lazy_load_members", path) ?? false,
            IncludeRedundantMembers = Bool(obj, "include_redundant_members", path) ?? false,
            UnreadThreadNotifications = Bool(obj, "unread_thread_notifications", path) ?? false,
        };
    }

    public bool Matches(EventRow row) =>
        Matches(row.EventType, row.Sender) && (ContainsUrl is null || ContainsUrl == (row.MediaUrl is not null));

    /// <summary>The type and sender tests alone, for events that are not room timeline rows (presence, account data, ephemeral).</summary>
    public bool Matches(string type, string? sender)
    {
        if (NotTypes.Any(t => TypeMatches(t, type)) || (sender is not null && NotSenders.Contains(sender)))
            return false;
        if (Types is not null && !Types.Any(t => TypeMatches(t, type)))
            return false;
        return Senders is null || sender is null || Senders.Contains(sender);
    }

    public bool IncludesRoom(string roomId) => !NotRooms.Contains(roomId) && (Rooms is null || Rooms.Contains(roomId));

    /// <summary>A trailing or inner <c>*</c> matches any run of characters (e.g. <c>m.room.*</c>).</summary>
    private static bool TypeMatches(string pattern, string type)
    {
        if (!pattern.Contains('*'))
            return pattern == type;
        var parts = pattern.Split('*');
        if (!type.StartsWith(parts[0], StringComparison.Ordinal) || !type.EndsWith(parts[^1], StringComparison.Ordinal))
            return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = type.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0)
                return false;
            at = found + parts[i].Length;
        }
        return at <= type.Length - parts[^1].Length;
    }

    private static IReadOnlyList<string>? List(JsonObject obj, string key, string path) => obj[key] switch
    {
        null => null,
        JsonArray a when a.All(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String) => a.Select(x => x!.GetValue<string>()).ToList(),
        _ => throw MatrixException.BadJson($"{path}.{key} must be an array of strings"),
    };

    private static bool? Bool(JsonObject obj, string key, string path) => obj[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw MatrixException.BadJson($"{path}.{key} must be a boolean"),
    };
}
