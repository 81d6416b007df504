using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Rules;

/// <summary>One push rule of a user's rule set, default or user-defined.</summary>
public sealed record PushRule(PushRuleKind Kind, string RuleId, bool IsDefault, bool Enabled,
    IReadOnlyList<PushCondition>? Conditions, string? Pattern, JsonArray Actions)
{
    private GlobPattern? _compiledPattern;

    /// <summary>A content rule's pattern, compiled on first use.</summary>
    public GlobPattern? ContentPattern => Pattern is null ? null : _compiledPattern ??= GlobPattern.Parse(Pattern);

    /// <summary>The rule in the API's shape (<c>PushRule</c>).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["rule_id"] = RuleId,
            ["default"] = IsDefault,
            ["enabled"] = Enabled,
            ["actions"] = Actions.DeepClone(),
        };
        if (Kind.HasConditions())
            json["conditions"] = new JsonArray((Conditions ?? []).Select(c => (JsonNode)c.Json.DeepClone()).ToArray());
        if (Kind == PushRuleKind.Content && Pattern is not null)
            json["pattern"] = Pattern;
        return json;
    }
}
