using System.Text.Json.Nodes;
using Homeserver.Core.Push.Rules;
using Xunit;

namespace Homeserver.UnitTests.Push;

/// <summary>Every condition kind, through a one-rule override set, with the spec's examples.</summary>
public sealed class PushConditionTests
{
    public static TheoryData<string, string, string, bool> Cases => new()
    {
        // name, condition, event content, matches
        { "event_match whole value", """{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}""", """{"topic":"Lunch plans"}""", true },
        { "event_match case-insensitive, * empty", """{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}""", """{"topic":"LUNCH"}""", true },
        { "event_match leading space", """{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}""", """{"topic":" lunch"}""", false },
        { "event_match ? needs a character", """{"kind":"event_match","key":"content.topic","pattern":"lunc?*"}""", """{"topic":"lunc"}""", false },
        { "event_match null", """{"kind":"event_match","key":"content.topic","pattern":"*"}""", """{"topic":null}""", false },
        { "event_match absent", """{"kind":"event_match","key":"content.topic","pattern":"*"}""", "{}", false },
        { "event_match number", """{"kind":"event_match","key":"content.n","pattern":"*"}""", """{"n":1}""", false },
        { "event_match body words", """{"kind":"event_match","key":"content.body","pattern":"ex*ple"}""", """{"body":"An example event."}""", true },
        { "event_match body whole", """{"kind":"event_match","key":"content.body","pattern":"ex*ple"}""", """{"body":"exple"}""", true },
        { "event_match body across words", """{"kind":"event_match","key":"content.body","pattern":"ex*ple"}""", """{"body":"An exciting triple-whammy"}""", true },
        { "event_match body inside a word", """{"kind":"event_match","key":"content.body","pattern":"ex*ple"}""", """{"body":"Anexample"}""", false },
        { "event_match body underscore is a word char", """{"kind":"event_match","key":"content.body","pattern":"cake"}""", """{"body":"cake_lie"}""", false },
        { "event_property_is true", """{"kind":"event_property_is","key":"content.m\\.federate","value":true}""", """{"m.federate":true}""", true },
        { "event_property_is string is not bool", """{"kind":"event_property_is","key":"content.m\\.federate","value":true}""", """{"m.federate":"true"}""", false },
        { "event_property_is number is not bool", """{"kind":"event_property_is","key":"content.m\\.federate","value":true}""", """{"m.federate":1}""", false },
        { "event_property_is null", """{"kind":"event_property_is","key":"content.x","value":null}""", """{"x":null}""", true },
        { "event_property_is null, absent", """{"kind":"event_property_is","key":"content.x","value":null}""", "{}", false },
        { "event_property_is integer", """{"kind":"event_property_is","key":"content.x","value":42}""", """{"x":42}""", true },
        { "event_property_is compound", """{"kind":"event_property_is","key":"content.x","value":"a"}""", """{"x":["a"]}""", false },
        { "event_property_contains", """{"kind":"event_property_contains","key":"content.alt_aliases","value":"#myroom:example.com"}""", """{"alt_aliases":["#somewhere:example.org","#myroom:example.com"]}""", true },
        { "event_property_contains partial", """{"kind":"event_property_contains","key":"content.alt_aliases","value":":example.com"}""", """{"alt_aliases":["#myroom:example.com"]}""", false },
        { "event_property_contains not an array", """{"kind":"event_property_contains","key":"content.alt_aliases","value":"#a:b"}""", """{"alt_aliases":"#a:b"}""", false },
        { "escaped backslash in path", """{"kind":"event_property_is","key":"content.m\\\\foo","value":"y"}""", """{"m\\foo":"y"}""", true },
        { "other escapes kept", """{"kind":"event_property_is","key":"content.m\\xfoo","value":"y"}""", """{"m\\xfoo":"y"}""", true },
        { "member count ==", """{"kind":"room_member_count","is":"==3"}""", "{}", true },
        { "member count bare", """{"kind":"room_member_count","is":"3"}""", "{}", true },
        { "member count <", """{"kind":"room_member_count","is":"<3"}""", "{}", false },
        { "member count >", """{"kind":"room_member_count","is":">2"}""", "{}", true },
        { "member count <=", """{"kind":"room_member_count","is":"<=3"}""", "{}", true },
        { "member count >=", """{"kind":"room_member_count","is":">=4"}""", "{}", false },
        { "member count garbled", """{"kind":"room_member_count","is":"~3"}""", "{}", false },
        { "notification permission met", """{"kind":"sender_notification_permission","key":"room"}""", "{}", true },
        { "notification permission unmet", """{"kind":"sender_notification_permission","key":"custom"}""", "{}", false },
        { "display name", """{"kind":"contains_display_name"}""", """{"body":"hey Carol: look"}""", true },
        { "display name absent", """{"kind":"contains_display_name"}""", """{"body":"hey Caroline"}""", false },
        { "unknown kind never matches", """{"kind":"org.example.future"}""", "{}", false },
    };

    [Theory, MemberData(nameof(Cases))]
    public void Condition(string name, string condition, string content, bool expected)
    {
        var rule = new PushRule(PushRuleKind.Override, "r", false, true, [PushCondition.From(JsonNode.Parse(condition)!.AsObject())], null, ["notify"]);
        var rules = PushRuleSet.Build("@alice:test.local", [rule], new Dictionary<(PushRuleKind, string), PushRuleSet.DefaultChange>());
        var ev = JsonNode.Parse($$"""{"type":"org.example.none","sender":"@bob:test.local","room_id":"!r:test.local","content":{{content}}}""")!.AsObject();
        // Bob has 60: enough for "room" (50) but not "custom" (80). Three members.
        var context = new PushEventContext(ev, 3, 60, key => key == "custom" ? 80 : 50);
        Assert.True(expected == (PushRuleEvaluator.FirstMatch(rules, context, "Carol")?.RuleId == "r"), name);
    }

    [Fact]
    public void RuleWithoutConditions_MatchesEverything()
    {
        var rule = new PushRule(PushRuleKind.Underride, "all", false, true, [], null, ["notify"]);
        var rules = PushRuleSet.Build("@alice:test.local", [rule], new Dictionary<(PushRuleKind, string), PushRuleSet.DefaultChange>());
        var ev = JsonNode.Parse("""{"type":"org.example.none","sender":"@bob:test.local","room_id":"!r:test.local","content":{}}""")!.AsObject();
        Assert.Equal("all", PushRuleEvaluator.FirstMatch(rules, new PushEventContext(ev, 3, 0, _ => 50), null)?.RuleId);
    }

    [Theory]
    [InlineData("""[{"set_tweak":"highlight"}]""", true)]
    [InlineData("""[{"set_tweak":"highlight","value":true}]""", true)]
    [InlineData("""[{"set_tweak":"highlight","value":false}]""", false)]
    [InlineData("""["notify",{"set_tweak":"sound","value":"default"}]""", false)]
    public void HighlightTweak_DefaultsPerSpec(string actions, bool highlights) =>
        Assert.Equal(highlights, PushActions.Highlights(JsonNode.Parse(actions)!.AsArray()));
}
