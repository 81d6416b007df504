using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Push.Rules;

/// <summary>What a matched rule's actions mean: whether it notifies, whether it highlights, and the tweaks.</summary>
public static class PushActions
{
    public const string Notify = "notify";
    public const string SetTweak = "set_tweak";
    public const string Highlight = "highlight";

    /// <summary>
    /// Actions of older spec versions, which act as no action at all. They are kept as the client set them, as
    /// Synapse keeps them, so a client reading its rules back gets what it wrote.
    /// </summary>
    private static readonly string[] Historical = ["dont_notify", "coalesce"];

    public static bool Notifies(JsonArray actions) =>
        actions.Any(a => a is JsonValue v && v.TryGetValue<string>(out var s) && s == Notify);

    /// <summary>The highlight tweak's value: true when given without a value, false when not given at all.</summary>
    public static bool Highlights(JsonArray actions)
    {
        foreach (var a in actions)
            if (a is JsonObject o && o[SetTweak] is JsonValue t && t.TryGetValue<string>(out var name) && name == Highlight)
                return o["value"] is not JsonValue value || !value.TryGetValue<bool>(out var b) || b;
        return false;
    }

    /// <summary>
    /// Parses actions a client sends: <c>notify</c>, the historical actions (kept, without effect), and objects naming a tweak;
    /// any other string is refused, since a rule carrying it could never be acted on.
    /// </summary>
    public static JsonArray FromClient(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw MatrixException.BadJson("'actions' must be an array");
        var actions = new JsonArray();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                var name = item.GetString()!;
                if (name != Notify && !Historical.Contains(name))
                    throw MatrixException.BadJson($"Unknown action '{name}'");
                actions.Add(name);
            }
            else if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty(SetTweak, out var tweak) && tweak.ValueKind == JsonValueKind.String)
                actions.Add(JsonNode.Parse(item.GetRawText()));
            else
                throw MatrixException.BadJson("Each action must be 'notify' or a 'set_tweak' object");
        }
        return actions;
    }
}
