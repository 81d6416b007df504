using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Push.Rules;

/// <summary>
/// The server-default rules, in the spec's order and with its content (client-server API, "Predefined Rules").
/// The three legacy mention rules of v1.7–v1.16 are kept because this server advertises those versions; the
/// evaluator skips them for events that carry <c>m.mentions</c>, as the spec required while they existed.
/// </summary>
public static class DefaultPushRules
{
    public const string Master = ".m.rule.master";
    public const string ContainsDisplayName = ".m.rule.contains_display_name";
    public const string RoomNotif = ".m.rule.roomnotif";
    public const string ContainsUserName = ".m.rule.contains_user_name";

    /// <summary>The legacy rules that only apply to events without <c>m.mentions</c>.</summary>
    public static IReadOnlySet<string> LegacyMentionRules { get; } = new HashSet<string> { ContainsDisplayName, RoomNotif, ContainsUserName };

    public static IReadOnlyList<PushRule> Override(string userId) =>
    [
        Rule(PushRuleKind.Override, Master, enabled: false, [], []),
        Rule(PushRuleKind.Override, ".m.rule.suppress_notices", true, [Match("content.msgtype", "m.notice")], []),
        Rule(PushRuleKind.Override, ".m.rule.invite_for_me", true,
            [Match("type", "m.room.member"), Match("content.membership", "invite"), Match("state_key", userId)],
            [PushActions.Notify, Sound("default")]),
        Rule(PushRuleKind.Override, ".m.rule.member_event", true, [Match("type", "m.room.member")], []),
        Rule(PushRuleKind.Override, ".m.rule.is_user_mention", true,
            [Condition(PushCondition.EventPropertyContains, ("key", @"content.m\.mentions.user_ids"), ("value", userId))],
            [PushActions.Notify, Sound("default"), Highlight()]),
        Rule(PushRuleKind.Override, ContainsDisplayName, true, [Condition(PushCondition.ContainsDisplayName)],
            [PushActions.Notify, Sound("default"), Highlight()]),
        Rule(PushRuleKind.Override, ".m.rule.is_room_mention", true,
            [Condition(PushCondition.EventPropertyIs, ("key", @"content.m\.mentions.room"), ("value", true)), Permission("room")],
            [PushActions.Notify, Highlight()]),
        Rule(PushRuleKind.Override, RoomNotif, true, [Match("content.body", "@room"), Permission("room")],
            [PushActions.Notify, Highlight()]),
        Rule(PushRuleKind.Override, ".m.rule.tombstone", true, [Match("type", "m.room.tombstone"), Match("state_key", "")],
            [PushActions.Notify, Highlight()]),
        Rule(PushRuleKind.Override, ".m.rule.reaction", true, [Match("type", "m.reaction")], []),
        Rule(PushRuleKind.Override, ".m.rule.room.server_acl", true, [Match("type", "m.room.server_acl"), Match("state_key", "")], []),
        Rule(PushRuleKind.Override, ".m.rule.suppress_edits", true,
            [Condition(PushCondition.EventPropertyIs, ("key", @"content.m\.relates_to.rel_type"), ("value", "m.replace"))], []),
    ];

    public static IReadOnlyList<PushRule> Content(string userId) =>
    [
        new(PushRuleKind.Content, ContainsUserName, IsDefault: true, Enabled: true, null, UserId.Parse(userId).Localpart,
            [PushActions.Notify, Sound("default"), Highlight()]),
    ];

    public static IReadOnlyList<PushRule> Underride { get; } =
    [
        Rule(PushRuleKind.Underride, ".m.rule.call", true, [Match("type", "m.call.invite")], [PushActions.Notify, Sound("ring")]),
        Rule(PushRuleKind.Underride, ".m.rule.encrypted_room_one_to_one", true,
            [Condition(PushCondition.RoomMemberCount, ("is", "2")), Match("type", "m.room.encrypted")], [PushActions.Notify, Sound("default")]),
        Rule(PushRuleKind.Underride, ".m.rule.room_one_to_one", true,
            [Condition(PushCondition.RoomMemberCount, ("is", "2")), Match("type", "m.room.message")], [PushActions.Notify, Sound("default")]),
        Rule(PushRuleKind.Underride, ".m.rule.message", true, [Match("type", "m.room.message")], [PushActions.Notify]),
        Rule(PushRuleKind.Underride, ".m.rule.encrypted", true, [Match("type", "m.room.encrypted")], [PushActions.Notify]),
    ];

    private static PushRule Rule(PushRuleKind kind, string id, bool enabled, PushCondition[] conditions, JsonNode[] actions) =>
        new(kind, id, IsDefault: true, enabled, conditions, null, new JsonArray(actions));

    private static PushCondition Match(string key, string pattern) =>
        Condition(PushCondition.EventMatch, ("key", key), ("pattern", pattern));

    private static PushCondition Permission(string key) => Condition(PushCondition.SenderNotificationPermission, ("key", key));

    private static PushCondition Condition(string kind, params (string Name, JsonNode Value)[] parameters)
    {
        var json = new JsonObject { ["kind"] = kind };
        foreach (var (name, value) in parameters)
            json[name] = value;
        return PushCondition.From(json);
    }

    private static JsonObject Sound(string value) => new() { [PushActions.SetTweak] = "sound", ["value"] = value };

    private static JsonObject Highlight() => new() { [PushActions.SetTweak] = PushActions.Highlight };
}
