using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Rules;

/// <summary>
/// A user's whole rule set: the defaults with the user's enabled/actions changes applied, and the user's own
/// rules, each kind in priority order. User rules rank above the defaults of their kind, except
/// <c>.m.rule.master</c>, which ranks above everything.
/// </summary>
public sealed class PushRuleSet
{
    private readonly Dictionary<PushRuleKind, IReadOnlyList<PushRule>> _byKind;

    private PushRuleSet(Dictionary<PushRuleKind, IReadOnlyList<PushRule>> byKind) => _byKind = byKind;

    /// <summary>A change a user made to a default rule; null fields leave the default as it is.</summary>
    public sealed record DefaultChange(bool? Enabled, JsonArray? Actions);

    /// <param name="userRules">The user's own rules, each kind already in priority order.</param>
    public static PushRuleSet Build(string userId, IEnumerable<PushRule> userRules,
        IReadOnlyDictionary<(PushRuleKind Kind, string RuleId), DefaultChange> defaultChanges)
    {
        PushRule Apply(PushRule rule) => defaultChanges.TryGetValue((rule.Kind, rule.RuleId), out var change)
            ? rule with { Enabled = change.Enabled ?? rule.Enabled, Actions = change.Actions ?? rule.Actions }
            : rule;

        var own = userRules.ToLookup(r => r.Kind);
        var overrides = DefaultPushRules.Override(userId).Select(Apply).ToList();
        return new PushRuleSet(new Dictionary<PushRuleKind, IReadOnlyList<PushRule>>
        {
            [PushRuleKind.Override] = [overrides[0], .. own[PushRuleKind.Override], .. overrides.Skip(1)],
            [PushRuleKind.Content] = [.. own[PushRuleKind.Content], .. DefaultPushRules.Content(userId).Select(Apply)],
            [PushRuleKind.Room] = [.. own[PushRuleKind.Room]],
            [PushRuleKind.Sender] = [.. own[PushRuleKind.Sender]],
            [PushRuleKind.Underride] = [.. own[PushRuleKind.Underride], .. DefaultPushRules.Underride.Select(Apply)],
        });
    }

    public PushRule? Find(PushRuleKind kind, string ruleId) => _byKind[kind].FirstOrDefault(r => r.RuleId == ruleId);

    /// <summary>Every rule in the order they are tried.</summary>
    public IEnumerable<PushRule> InPriorityOrder() => PushRuleKinds.All.SelectMany(k => _byKind[k]);

    /// <summary>The <c>global</c> ruleset in the API's shape (<c>PushRuleset</c>).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var kind in PushRuleKinds.All)
            json[kind.Name()] = ToJson(kind);
        return json;
    }

    /// <summary>One kind's rules in priority order, in the API's shape.</summary>
    public JsonArray ToJson(PushRuleKind kind) => new(_byKind[kind].Select(r => (JsonNode)r.ToJson()).ToArray());
}
