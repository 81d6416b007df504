using System.Text.Json.Nodes;
using Homeserver.Core.Json;

namespace Homeserver.Core.Rooms.Spaces;

/// <summary>
/// A space's <c>m.space.child</c> links as the hierarchy serves them: stripped state events with their
/// <c>origin_server_ts</c>, only those naming servers to reach the child through (a link without <c>via</c>, or a redacted
/// one, is removed), in the spec's order: valid <c>order</c> strings first and by code point, then
/// <c>origin_server_ts</c>, then the child's room ID.
/// </summary>
public static class SpaceChildren
{
    public const string EventType = "m.space.child";
    private const int MaxOrderLength = 50;

    /// <summary>The stripped link of a child event (the full PDU or client event); null when it has no usable <c>via</c>.</summary>
    public static JsonObject? Strip(JsonObject pdu)
    {
        if (JsonFields.String(pdu, "state_key") is not { Length: > 0 } child || pdu["content"] is not JsonObject content || !HasValidVia(content))
            return null;
        return new JsonObject
        {
            ["type"] = EventType,
            ["state_key"] = child,
            ["content"] = content.DeepClone(),
            ["sender"] = JsonFields.String(pdu, "sender"),
            ["origin_server_ts"] = pdu["origin_server_ts"] is JsonValue ts && ts.TryGetValue(out long value) ? value : 0,
        };
    }

    /// <summary>The links in the spec's order.</summary>
    public static List<JsonObject> Ordered(IEnumerable<JsonObject> links) =>
        links.OrderBy(l => Order(l) is null)
            .ThenBy(Order, StringComparer.Ordinal)
            .ThenBy(l => l["origin_server_ts"] is JsonValue v && v.TryGetValue(out long ts) ? ts : 0)
            .ThenBy(ChildOf, StringComparer.Ordinal)
            .ToList();

    /// <summary>Only the links that suggest their child, when <paramref name="suggestedOnly"/>.</summary>
    public static IEnumerable<JsonObject> Suggested(IEnumerable<JsonObject> links, bool suggestedOnly) =>
        suggestedOnly ? links.Where(l => l["content"]?["suggested"] is JsonValue v && v.TryGetValue(out bool s) && s) : links;

    public static string ChildOf(JsonObject link) => JsonFields.String(link, "state_key") ?? "";

    /// <summary>The servers a link names to reach its child through.</summary>
    public static IReadOnlyList<string> Via(JsonObject link) =>
        link["content"]?["via"] is JsonArray via ? via.Select(v => v is JsonValue s && s.TryGetValue(out string? name) ? name : null).OfType<string>().ToList() : [];

    /// <summary>A link from another server, checked as ours are: a room ID as state key and a non-empty <c>via</c> of strings.</summary>
    public static bool IsUsable(JsonObject link) =>
        JsonFields.String(link, "type") == EventType && Identifiers.RoomId.TryParse(ChildOf(link), out _)
        && link["content"] is JsonObject content && HasValidVia(content);

    private static bool HasValidVia(JsonObject content) =>
        content["via"] is JsonArray { Count: > 0 } via && via.All(v => v is JsonValue s && s.TryGetValue(out string? _));

    /// <summary>The link's <c>order</c> when valid (a string of at most 50 printable ASCII characters), else null.</summary>
    private static string? Order(JsonObject link) =>
        link["content"]?["order"] is JsonValue v && v.TryGetValue(out string? order)
            && order.Length <= MaxOrderLength && order.All(c => c is >= '\x20' and <= '\x7E')
            ? order
            : null;
}
