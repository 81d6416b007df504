using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// The spec's RoomEventFilter as <c>/messages</c> applies it: event types (with <c>*</c> wildcards), senders,
/// and <c>contains_url</c>. Exclusions win over inclusions, as the spec says.
/// </summary>
public sealed record RoomEventFilter(IReadOnlyList<string>? Types, IReadOnlyList<string> NotTypes,
    IReadOnlyList<string>? Senders, IReadOnlyList<string> NotSenders, bool? ContainsUrl)
{
    public static RoomEventFilter None { get; } = new(null, [], null, [], null);

    public static RoomEventFilter Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return None;
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(json) as JsonObject ?? throw MatrixException.BadJson("filter must be a JSON object");
        }
        catch (JsonException)
        {
            throw MatrixException.BadJson("filter is not valid JSON");
        }
        return new RoomEventFilter(List(obj, "types"), List(obj, "not_types") ?? [], List(obj, "senders"), List(obj, "not_senders") ?? [],
            obj["contains_url"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null);
    }

    public bool Matches(EventRow row)
    {
        if (NotTypes.Any(t => TypeMatches(t, row.EventType)) || NotSenders.Contains(row.Sender))
            return false;
        if (Types is not null && !Types.Any(t => TypeMatches(t, row.EventType)))
            return false;
        if (Senders is not null && !Senders.Contains(row.Sender))
            return false;
        return ContainsUrl is null || ContainsUrl == (row.MediaUrl is not null);
    }

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

    private static IReadOnlyList<string>? List(JsonObject obj, string key) => obj[key] switch
    {
        null => null,
        JsonArray a when a.All(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String) => a.Select(x => x!.GetValue<string>()).ToList(),
        _ => throw MatrixException.BadJson($"filter.{key} must be an array of strings"),
    };
}
