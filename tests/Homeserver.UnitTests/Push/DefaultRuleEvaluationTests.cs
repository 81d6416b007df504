using System.Text.Json.Nodes;
using Homeserver.Core.Push.Rules;
using Xunit;

namespace Homeserver.UnitTests.Push;

/// <summary>Which default rule an event meets for @alice, and whether it notifies and highlights.</summary>
public sealed class DefaultRuleEvaluationTests
{
    private const string Alice = "@alice:test.local";
    private const string Room = "!room:test.local";

    private static readonly PushRuleSet Defaults = PushRuleSet.Build(Alice, [], new Dictionary<(PushRuleKind, string), PushRuleSet.DefaultChange>());

    public static TheoryData<string, string, long, long, string?, bool, bool> Cases => new()
    {
        // name, event JSON, joined members, sender power level, expected rule, notifies, highlights
        { "notice", Message("""{"msgtype":"m.notice","body":"bot says hi"}"""), 3, 0, ".m.rule.suppress_notices", false, false },
        { "invite for me", Member(Alice, "invite"), 3, 0, ".m.rule.invite_for_me", true, false },
        { "invite for another", Member("@bob:test.local", "invite"), 3, 0, ".m.rule.member_event", false, false },
        { "join", Member("@bob:test.local", "join"), 3, 0, ".m.rule.member_event", false, false },
        { "user mention", Message("""{"msgtype":"m.text","body":"hi","m.mentions":{"user_ids":["@alice:test.local"]}}"""), 3, 0, ".m.rule.is_user_mention", true, true },
        { "display name, no m.mentions", Message("""{"msgtype":"m.text","body":"ask Alice Liddell, she knows"}"""), 3, 0, ".m.rule.contains_display_name", true, true },
        { "display name, with m.mentions", Message("""{"msgtype":"m.text","body":"ask Alice Liddell","m.mentions":{}}"""), 3, 0, ".m.rule.message", true, false },
        { "display name inside a word", Message("""{"msgtype":"m.text","body":"xAlice Liddellx"}"""), 3, 0, ".m.rule.message", true, false },
        { "room mention with power", Message("""{"msgtype":"m.text","body":"all","m.mentions":{"room":true}}"""), 3, 50, ".m.rule.is_room_mention", true, true },
        { "room mention without power", Message("""{"msgtype":"m.text","body":"all","m.mentions":{"room":true}}"""), 3, 0, ".m.rule.message", true, false },
        { "legacy @room with power", Message("""{"msgtype":"m.text","body":"@room lunch!"}"""), 3, 100, ".m.rule.roomnotif", true, true },
        { "legacy @room with m.mentions", Message("""{"msgtype":"m.text","body":"@room lunch!","m.mentions":{}}"""), 3, 100, ".m.rule.message", true, false },
        { "tombstone", State("m.room.tombstone", "", """{"body":"moved","replacement_room":"!new:test.local"}"""), 3, 100, ".m.rule.tombstone", true, true },
        { "tombstone with a state key", State("m.room.tombstone", "x", "{}"), 3, 100, null, false, false },
        { "reaction", Event("m.reaction", """{"m.relates_to":{"rel_type":"m.annotation","event_id":"$x","key":"👍"}}"""), 2, 0, ".m.rule.reaction", false, false },
        { "server acl", State("m.room.server_acl", "", """{"allow":["*"]}"""), 3, 100, ".m.rule.room.server_acl", false, false },
        { "edit", Message("""{"msgtype":"m.text","body":"* fixed","m.relates_to":{"rel_type":"m.replace","event_id":"$x"}}"""), 2, 0, ".m.rule.suppress_edits", false, false },
        { "user name", Message("""{"msgtype":"m.text","body":"hey alice!"}"""), 3, 0, ".m.rule.contains_user_name", true, true },
        { "user name inside a word", Message("""{"msgtype":"m.text","body":"malice"}"""), 3, 0, ".m.rule.message", true, false },
        { "call", Event("m.call.invite", """{"call_id":"c","version":1}"""), 2, 0, ".m.rule.call", true, false },
        { "encrypted one to one", Event("m.room.encrypted", """{"algorithm":"m.megolm.v1.aes-sha2"}"""), 2, 0, ".m.rule.encrypted_room_one_to_one", true, false },
        { "encrypted group", Event("m.room.encrypted", """{"algorithm":"m.megolm.v1.aes-sha2"}"""), 3, 0, ".m.rule.encrypted", true, false },
        { "message one to one", Message("""{"msgtype":"m.text","body":"hello"}"""), 2, 0, ".m.rule.room_one_to_one", true, false },
        { "message group", Message("""{"msgtype":"m.text","body":"hello"}"""), 3, 0, ".m.rule.message", true, false },
        { "other event type", Event("org.example.custom", "{}"), 3, 0, null, false, false },
    };

    [Theory, MemberData(nameof(Cases))]
    public void DefaultRules(string name, string json, long members, long senderLevel, string? expectedRule, bool notifies, bool highlights)
    {
        var ev = new PushEventContext(JsonNode.Parse(json)!.AsObject(), members, senderLevel, _ => 50);
        var rule = PushRuleEvaluator.FirstMatch(Defaults, ev, "Alice Liddell");
        Assert.True(expectedRule == rule?.RuleId, $"{name}: expected {expectedRule ?? "no rule"}, got {rule?.RuleId ?? "no rule"}");
        Assert.Equal(notifies, rule is not null && PushActions.Notifies(rule.Actions));
        Assert.Equal(highlights, rule is not null && PushActions.Highlights(rule.Actions));
    }

    [Fact]
    public void EnabledMaster_SilencesEverything_AndOutranksUserRules()
    {
        var own = new PushRule(PushRuleKind.Override, "mine", false, true, [], null, ["notify"]);
        var rules = PushRuleSet.Build(Alice, [own], new Dictionary<(PushRuleKind, string), PushRuleSet.DefaultChange>
        {
            [(PushRuleKind.Override, DefaultPushRules.Master)] = new(true, null),
        });
        var ev = new PushEventContext(JsonNode.Parse(Message("""{"body":"hi alice","m.mentions":{"user_ids":["@alice:test.local"]}}"""))!.AsObject(), 3, 0, _ => 50);
        var rule = PushRuleEvaluator.FirstMatch(rules, ev, null);
        Assert.Equal(DefaultPushRules.Master, rule?.RuleId);
        Assert.False(PushActions.Notifies(rule!.Actions));
    }

    [Fact]
    public void UserRules_OutrankDefaults_DisabledRulesAreSkipped_ChangedActionsApply()
    {
        var roomRule = new PushRule(PushRuleKind.Room, Room, false, true, null, null, []);
        var senderRule = new PushRule(PushRuleKind.Sender, "@bob:test.local", false, false, null, null, []);
        var rules = PushRuleSet.Build(Alice, [roomRule, senderRule], new Dictionary<(PushRuleKind, string), PushRuleSet.DefaultChange>
        {
            [(PushRuleKind.Underride, ".m.rule.message")] = new(null, ["notify", new JsonObject { ["set_tweak"] = "highlight" }]),
        });
        var inRoom = new PushEventContext(JsonNode.Parse(Message("""{"body":"hello"}"""))!.AsObject(), 3, 0, _ => 50);
        Assert.Equal(Room, PushRuleEvaluator.FirstMatch(rules, inRoom, null)?.RuleId);

        var elsewhere = JsonNode.Parse(Message("""{"body":"hello"}"""))!.AsObject();
        elsewhere["room_id"] = "!other:test.local";
        var rule = PushRuleEvaluator.FirstMatch(rules, new PushEventContext(elsewhere, 3, 0, _ => 50), null);
        Assert.Equal(".m.rule.message", rule?.RuleId);
        Assert.True(PushActions.Highlights(rule!.Actions));
    }

    [Fact]
    public void RuleSet_ListsEveryDefaultInTheSpecOrder()
    {
        var json = Defaults.ToJson();
        string[] Ids(string kind) => json[kind]!.AsArray().Select(r => r!["rule_id"]!.GetValue<string>()).ToArray();
        Assert.Equal(
            [".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me", ".m.rule.member_event", ".m.rule.is_user_mention",
             ".m.rule.contains_display_name", ".m.rule.is_room_mention", ".m.rule.roomnotif", ".m.rule.tombstone", ".m.rule.reaction",
             ".m.rule.room.server_acl", ".m.rule.suppress_edits"], Ids("override"));
        Assert.Equal([".m.rule.contains_user_name"], Ids("content"));
        Assert.Equal([".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one", ".m.rule.message", ".m.rule.encrypted"], Ids("underride"));
        Assert.Empty(Ids("room"));
        Assert.Empty(Ids("sender"));
        Assert.Equal("alice", json["content"]![0]!["pattern"]!.GetValue<string>());
        Assert.Equal(Alice, json["override"]![2]!["conditions"]![2]!["pattern"]!.GetValue<string>());
        Assert.False(json["override"]![0]!["enabled"]!.GetValue<bool>());
    }

    private static string Event(string type, string content) =>
        $$"""{"type":"{{type}}","sender":"@bob:test.local","room_id":"{{Room}}","content":{{content}}}""";

    private static string Message(string content) => Event("m.room.message", content);

    private static string State(string type, string stateKey, string content) =>
        $$"""{"type":"{{type}}","state_key":"{{stateKey}}","sender":"@bob:test.local","room_id":"{{Room}}","content":{{content}}}""";

    private static string Member(string target, string membership) =>
        State("m.room.member", target, $$"""{"membership":"{{membership}}"}""");
}
