using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Rules;

/// <summary>Finds the first enabled rule of a user's set that matches an event (client-server API, "Push Rules").</summary>
public static class PushRuleEvaluator
{
    /// <summary>The matching rule, or null when none matches (the event then does not notify).</summary>
    /// <param name="displayName">The user's display name in the room, for <c>contains_display_name</c>.</param>
    public static PushRule? FirstMatch(PushRuleSet rules, PushEventContext ev, string? displayName)
    {
        foreach (var rule in rules.InPriorityOrder())
        {
            if (!rule.Enabled || (ev.HasMentions && rule.IsDefault && DefaultPushRules.LegacyMentionRules.Contains(rule.RuleId)))
                continue;
            if (Matches(rule, ev, displayName))
                return rule;
        }
        return null;
    }

    private static bool Matches(PushRule rule, PushEventContext ev, string? displayName) => rule.Kind switch
    {
        PushRuleKind.Content => ev.Body is { } body && rule.ContentPattern is { } pattern && pattern.MatchesWords(body),
        PushRuleKind.Room => ev.RoomId == rule.RuleId,
        PushRuleKind.Sender => ev.Sender == rule.RuleId,
        _ => (rule.Conditions ?? []).All(c => Holds(c, ev, displayName)),
    };

    private static bool Holds(PushCondition c, PushEventContext ev, string? displayName)
    {
        if (!c.IsWellFormed)
            return false;
        switch (c.Kind)
        {
            case PushCondition.EventMatch:
                return PropertyPath.TryGet(ev.Event, c.Path!, out var matched) && matched is JsonValue v && v.TryGetValue<string>(out var text)
                    && (c.MatchesWords ? c.Pattern!.MatchesWords(text) : c.Pattern!.MatchesWhole(text));
            case PushCondition.EventPropertyIs:
                return PropertyPath.TryGet(ev.Event, c.Path!, out var value) && PushCondition.ScalarEquals(value, c.Value);
            case PushCondition.EventPropertyContains:
                return PropertyPath.TryGet(ev.Event, c.Path!, out var array) && array is JsonArray items
                    && items.Any(item => PushCondition.ScalarEquals(item, c.Value));
            case PushCondition.ContainsDisplayName:
                return !string.IsNullOrEmpty(displayName) && ev.Body is { } body && GlobPattern.Literal(displayName).MatchesWords(body);
            case PushCondition.RoomMemberCount:
                return c.MemberCountOperator switch
                {
                    "<" => ev.MemberCount < c.MemberCount,
                    ">" => ev.MemberCount > c.MemberCount,
                    "<=" => ev.MemberCount <= c.MemberCount,
                    ">=" => ev.MemberCount >= c.MemberCount,
                    _ => ev.MemberCount == c.MemberCount,
                };
            case PushCondition.SenderNotificationPermission:
                return ev.SenderPowerLevel >= ev.NotificationLevel(c.Key!);
            default:
                return false;
        }
    }
}
