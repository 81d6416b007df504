using System.Data.Common;
using System.Text.Json.Nodes;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Push.Rules;

/// <summary>Users' own push rules (ordered per kind) and their changes to the server-default rules.</summary>
public sealed class PushRuleStore(Database db)
{
    private const string SelectRules = "SELECT user_id, kind, rule_id, conditions, pattern, actions, enabled FROM push_rules WHERE {0} ORDER BY user_id, kind, position";
    private const string SelectDefaults = "SELECT user_id, kind, rule_id, enabled, actions FROM push_rule_defaults WHERE {0}";
    private const string SelectIds = "SELECT rule_id FROM push_rules WHERE user_id = @UserId AND kind = @Kind ORDER BY position";
    private const string Upsert = """
        INSERT INTO push_rules (user_id, kind, rule_id, position, conditions, pattern, actions, enabled)
        VALUES (@UserId, @Kind, @RuleId, 0, @Conditions, @Pattern, @Actions, 1)
        ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET conditions = excluded.conditions, pattern = excluded.pattern, actions = excluded.actions
        """;
    private const string SetPosition = "UPDATE push_rules SET position = @Position WHERE user_id = @UserId AND kind = @Kind AND rule_id = @RuleId";
    private const string Delete = "DELETE FROM push_rules WHERE user_id = @UserId AND kind = @Kind AND rule_id = @RuleId";
    private const string SetEnabled = "UPDATE push_rules SET enabled = @Enabled WHERE user_id = @UserId AND kind = @Kind AND rule_id = @RuleId";
    private const string SetActions = "UPDATE push_rules SET actions = @Actions WHERE user_id = @UserId AND kind = @Kind AND rule_id = @RuleId";
    private const string ChangeDefault = """
        INSERT INTO push_rule_defaults (user_id, kind, rule_id, enabled, actions) VALUES (@UserId, @Kind, @RuleId, @Enabled, @Actions)
        ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET enabled = COALESCE(excluded.enabled, push_rule_defaults.enabled),
            actions = COALESCE(excluded.actions, push_rule_defaults.actions)
        """;

    /// <summary>What is stored for one user: their own rules in priority order, and their changes to defaults.</summary>
    public sealed record UserRules(IReadOnlyList<PushRule> Rules, IReadOnlyDictionary<(PushRuleKind Kind, string RuleId), PushRuleSet.DefaultChange> DefaultChanges);

    private sealed class RuleRow
    {
        public string UserId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string RuleId { get; set; } = "";
        public string? Conditions { get; set; }
        public string? Pattern { get; set; }
        public string Actions { get; set; } = "";
        public long Enabled { get; set; }
    }

    private sealed class DefaultRow
    {
        public string UserId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string RuleId { get; set; } = "";
        public long? Enabled { get; set; }
        public string? Actions { get; set; }
    }

    /// <summary>The stored rules of several users in two queries; users with nothing stored are absent.</summary>
    public async Task<IReadOnlyDictionary<string, UserRules>> LoadAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var where = db.Dialect.InList("user_id", "UserIds");
        var param = new { UserIds = userIds.ToArray() };
        var (rules, defaults) = await db.ReadAsync(async c =>
            (await c.ListAsync<RuleRow>(string.Format(System.Globalization.CultureInfo.InvariantCulture, SelectRules, where), param, ct),
             await c.ListAsync<DefaultRow>(string.Format(System.Globalization.CultureInfo.InvariantCulture, SelectDefaults, where), param, ct)), ct);
        var result = new Dictionary<string, UserRules>();
        foreach (var userId in rules.Select(r => r.UserId).Concat(defaults.Select(d => d.UserId)).Distinct())
        {
            var own = rules.Where(r => r.UserId == userId && PushRuleKinds.TryParse(r.Kind, out _)).Select(ToRule).ToList();
            var changes = new Dictionary<(PushRuleKind, string), PushRuleSet.DefaultChange>();
            foreach (var d in defaults.Where(d => d.UserId == userId))
                if (PushRuleKinds.TryParse(d.Kind, out var kind))
                    changes[(kind, d.RuleId)] = new PushRuleSet.DefaultChange(d.Enabled is { } e ? e != 0 : null,
                        d.Actions is null ? null : JsonNode.Parse(d.Actions)!.AsArray());
            result[userId] = new UserRules(own, changes);
        }
        return result;
    }

    private static PushRule ToRule(RuleRow r)
    {
        // LoadAsync passes only rows whose kind parses.
        _ = PushRuleKinds.TryParse(r.Kind, out var kind);
        var conditions = r.Conditions is null ? null
            : JsonNode.Parse(r.Conditions)!.AsArray().Select(c => PushCondition.From(c!.AsObject())).ToList();
        return new PushRule(kind, r.RuleId, IsDefault: false, r.Enabled != 0, conditions, r.Pattern, JsonNode.Parse(r.Actions)!.AsArray());
    }

    /// <summary>The user's own rule IDs of one kind, most important first.</summary>
    public static Task<IReadOnlyList<string>> RuleIdsAsync(DbConnection c, DbTransaction tx, string userId, PushRuleKind kind, CancellationToken ct) =>
        c.ListAsync<string>(SelectIds, new { UserId = userId, Kind = kind.Name() }, ct, tx);

    /// <summary>Creates the rule enabled, or replaces an existing rule's conditions, pattern and actions (its enabled flag stays).</summary>
    public static Task UpsertAsync(DbConnection c, DbTransaction tx, string userId, PushRule rule, CancellationToken ct) =>
        c.RunAsync(Upsert, new
        {
            UserId = userId,
            Kind = rule.Kind.Name(),
            rule.RuleId,
            Conditions = rule.Conditions is null ? null : new JsonArray(rule.Conditions.Select(x => (JsonNode)x.Json.DeepClone()).ToArray()).ToJsonString(),
            rule.Pattern,
            Actions = rule.Actions.ToJsonString(),
        }, ct, tx);

    /// <summary>Stores the order of the user's rules of one kind.</summary>
    public static async Task SetOrderAsync(DbConnection c, DbTransaction tx, string userId, PushRuleKind kind, IReadOnlyList<string> ruleIds, CancellationToken ct)
    {
        for (var i = 0; i < ruleIds.Count; i++)
            await c.RunAsync(SetPosition, new { UserId = userId, Kind = kind.Name(), RuleId = ruleIds[i], Position = i }, ct, tx);
    }

    public static Task DeleteAsync(DbConnection c, DbTransaction tx, string userId, PushRuleKind kind, string ruleId, CancellationToken ct) =>
        c.RunAsync(Delete, new { UserId = userId, Kind = kind.Name(), RuleId = ruleId }, ct, tx);

    public static Task SetEnabledAsync(DbConnection c, DbTransaction tx, string userId, PushRule rule, bool enabled, CancellationToken ct) =>
        rule.IsDefault
            ? c.RunAsync(ChangeDefault, new { UserId = userId, Kind = rule.Kind.Name(), rule.RuleId, Enabled = (long?)(enabled ? 1 : 0), Actions = (string?)null }, ct, tx)
            : c.RunAsync(SetEnabled, new { UserId = userId, Kind = rule.Kind.Name(), rule.RuleId, Enabled = enabled ? 1L : 0L }, ct, tx);

    public static Task SetActionsAsync(DbConnection c, DbTransaction tx, string userId, PushRule rule, JsonArray actions, CancellationToken ct) =>
        rule.IsDefault
            ? c.RunAsync(ChangeDefault, new { UserId = userId, Kind = rule.Kind.Name(), rule.RuleId, Enabled = (long?)null, Actions = (string?)actions.ToJsonString() }, ct, tx)
            : c.RunAsync(SetActions, new { UserId = userId, Kind = rule.Kind.Name(), rule.RuleId, Actions = actions.ToJsonString() }, ct, tx);
}
