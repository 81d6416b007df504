using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Push;

public sealed class PushRuleTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string Rules = "/_matrix/client/v3/pushrules/global";

    private static string[] Ids(JsonElement ruleset, string kind) =>
        ruleset.GetProperty(kind).EnumerateArray().Select(r => r.GetProperty("rule_id").GetString()!).ToArray();

    private static object Match(string key, string pattern) => new { kind = "event_match", key, pattern };

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserRules_PlacedWithBeforeAndAfter_EnabledAndActionsChange_Deleted(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();

        var all = await (await a.GetAsync("/_matrix/client/v3/pushrules/")).AssertOkAsync();
        Assert.Equal(".m.rule.master", Ids(all.GetProperty("global"), "override")[0]);
        var userName = all.GetProperty("global").GetProperty("content")[0];
        Assert.Equal(".m.rule.contains_user_name", userName.GetProperty("rule_id").GetString());
        Assert.Equal(alice.Localpart, userName.GetProperty("pattern").GetString());

        await (await a.PutAsJsonAsync($"{Rules}/override/a", new { conditions = new[] { Match("content.body", "a") }, actions = new[] { "notify" } })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"{Rules}/override/b?before=a", new { conditions = new[] { Match("content.body", "b") }, actions = new[] { "notify" } })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"{Rules}/override/c?after=a", new { conditions = Array.Empty<object>(), actions = Array.Empty<string>() })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"{Rules}/override/d", new { conditions = Array.Empty<object>(), actions = Array.Empty<string>() })).AssertOkAsync();
        var global = await (await a.GetAsync($"{Rules}/")).AssertOkAsync();
        Assert.Equal([".m.rule.master", "d", "b", "a", "c", ".m.rule.suppress_notices"], Ids(global, "override").Take(6));

        var rule = await (await a.GetAsync($"{Rules}/override/a")).AssertOkAsync();
        Assert.False(rule.GetProperty("default").GetBoolean());
        Assert.True(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal("a", rule.GetProperty("conditions")[0].GetProperty("pattern").GetString());

        await (await a.PutAsJsonAsync($"{Rules}/override/a/enabled", new { enabled = false })).AssertOkAsync();
        Assert.False((await (await a.GetAsync($"{Rules}/override/a/enabled")).AssertOkAsync()).GetProperty("enabled").GetBoolean());
        await (await a.PutAsJsonAsync($"{Rules}/override/a/actions", new { actions = new object[] { "notify", new { set_tweak = "sound", value = "bing" } } })).AssertOkAsync();
        var actions = (await (await a.GetAsync($"{Rules}/override/a/actions")).AssertOkAsync()).GetProperty("actions");
        Assert.Equal("bing", actions[1].GetProperty("value").GetString());

        // Replacing keeps the rule's place and its enabled flag.
        await (await a.PutAsJsonAsync($"{Rules}/override/a", new { conditions = new[] { Match("content.body", "z") }, actions = new[] { "notify" } })).AssertOkAsync();
        global = await (await a.GetAsync($"{Rules}/")).AssertOkAsync();
        Assert.Equal([".m.rule.master", "d", "b", "a", "c"], Ids(global, "override").Take(5));
        rule = await (await a.GetAsync($"{Rules}/override/a")).AssertOkAsync();
        Assert.False(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal("z", rule.GetProperty("conditions")[0].GetProperty("pattern").GetString());

        await (await a.DeleteAsync($"{Rules}/override/a")).AssertOkAsync();
        await (await a.GetAsync($"{Rules}/override/a")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        global = await (await a.GetAsync($"{Rules}/")).AssertOkAsync();
        Assert.Equal([".m.rule.master", "d", "b", "c"], Ids(global, "override").Take(4));

        await (await a.PutAsJsonAsync($"{Rules}/content/cake", new { pattern = "cake*lie", actions = new[] { "notify" } })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"{Rules}/room/{Uri.EscapeDataString("!r:test.local")}", new { actions = Array.Empty<string>() })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"{Rules}/sender/{Uri.EscapeDataString("@spam:test.local")}", new { actions = Array.Empty<string>() })).AssertOkAsync();
        global = await (await a.GetAsync($"{Rules}/")).AssertOkAsync();
        Assert.Equal(["cake", ".m.rule.contains_user_name"], Ids(global, "content"));
        Assert.Equal("cake*lie", global.GetProperty("content")[0].GetProperty("pattern").GetString());
        Assert.Equal(["!r:test.local"], Ids(global, "room"));
        Assert.Equal(["@spam:test.local"], Ids(global, "sender"));
        Assert.False(global.GetProperty("room")[0].TryGetProperty("conditions", out _));
    }

    [Fact]
    public async Task DefaultRules_CanBeDisabledAndGivenActions_ButNotReplacedOrDeleted()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await (await a.PutAsJsonAsync($"{Rules}/override/.m.rule.master/enabled", new { enabled = true })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"{Rules}/underride/.m.rule.message/actions", new { actions = new object[] { "notify", new { set_tweak = "highlight" } } })).AssertOkAsync();
        var master = await (await a.GetAsync($"{Rules}/override/.m.rule.master")).AssertOkAsync();
        Assert.True(master.GetProperty("enabled").GetBoolean());
        Assert.True(master.GetProperty("default").GetBoolean());
        var message = await (await a.GetAsync($"{Rules}/underride/.m.rule.message")).AssertOkAsync();
        Assert.Equal("highlight", message.GetProperty("actions")[1].GetProperty("set_tweak").GetString());
        Assert.True(message.GetProperty("enabled").GetBoolean());
        // Changing the actions left the enabled change alone, and the other way round.
        await (await a.PutAsJsonAsync($"{Rules}/override/.m.rule.master/actions", new { actions = new[] { "dont_notify" } })).AssertOkAsync();
        master = await (await a.GetAsync($"{Rules}/override/.m.rule.master")).AssertOkAsync();
        Assert.True(master.GetProperty("enabled").GetBoolean());
        // The historical action is kept as set (as Synapse does), though it acts as no action.
        Assert.Equal("dont_notify", Assert.Single(master.GetProperty("actions").EnumerateArray()).GetString());

        await (await a.PutAsJsonAsync($"{Rules}/override/.m.rule.master", new { actions = new[] { "notify" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync($"{Rules}/override/.mine", new { actions = new[] { "notify" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.DeleteAsync($"{Rules}/override/.m.rule.master")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        Assert.True((await (await a.GetAsync($"{Rules}/override/.m.rule.master")).AssertOkAsync()).GetProperty("default").GetBoolean());
    }

    [Fact]
    public async Task BadRequests_GetMatrixErrors()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await (await a.PutAsJsonAsync($"{Rules}/override/x", new { conditions = Array.Empty<object>(), actions = new[] { "notify" } })).AssertOkAsync();

        await (await a.GetAsync($"{Rules}/override/nope")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.DeleteAsync($"{Rules}/override/nope")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetAsync($"{Rules}/underride/x")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.PutAsJsonAsync($"{Rules}/override/nope/enabled", new { enabled = true })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.PutAsJsonAsync($"{Rules}/override/nope/actions", new { actions = new[] { "notify" } })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetAsync($"{Rules}/override/nope/actions")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        await (await a.GetAsync("/_matrix/client/v3/pushrules/device/override/x")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNRECOGNIZED");
        await (await a.GetAsync("/_matrix/client/v3/pushrules/device/")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNRECOGNIZED");
        await (await a.GetAsync($"{Rules}/everything/x")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNRECOGNIZED");

        await (await a.PutAsJsonAsync($"{Rules}/override/y?before=missing", new { conditions = Array.Empty<object>(), actions = new[] { "notify" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        await (await a.PutAsJsonAsync($"{Rules}/override/y?after=.m.rule.master", new { conditions = Array.Empty<object>(), actions = new[] { "notify" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        await (await a.PutAsJsonAsync($"{Rules}/override/y", new { conditions = new[] { new { kind = "event_match", key = "type" } }, actions = new[] { "notify" } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PutAsJsonAsync($"{Rules}/override/y", new { conditions = new[] { new { kind = "room_member_count", @is = "lots" } }, actions = new[] { "notify" } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PutAsJsonAsync($"{Rules}/override/y", new { actions = new[] { "explode" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PutAsJsonAsync($"{Rules}/override/y", new { conditions = Array.Empty<object>() })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await a.PutAsJsonAsync($"{Rules}/content/y", new { actions = new[] { "notify" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await a.PutAsJsonAsync($"{Rules}/override/x/enabled", new { enabled = "yes" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.GetAsync($"{Rules}/override/y")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        // A condition kind this server does not know is stored (and never matches).
        await (await a.PutAsJsonAsync($"{Rules}/override/future", new { conditions = new[] { new { kind = "org.example.future" } }, actions = new[] { "notify" } })).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Paths_ListPerKind_AndMalformedOnesAre400_AsSynapseAnswers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await (await a.PutAsJsonAsync($"{Rules}/room/{Uri.EscapeDataString("#spam:example.com")}", new { actions = new[] { "notify" } })).AssertOkAsync();

        var rooms = await (await a.GetAsync($"{Rules}/room/")).AssertOkAsync();
        Assert.Equal(["#spam:example.com"], rooms.EnumerateArray().Select(r => r.GetProperty("rule_id").GetString()));
        var underride = await (await a.GetAsync($"{Rules}/underride/")).AssertOkAsync();
        Assert.Contains(".m.rule.message", underride.EnumerateArray().Select(r => r.GetProperty("rule_id").GetString()));

        // Without the trailing slash a scope or kind is not a listing; an unknown attribute is no rule field.
        foreach (var path in new[] { "global", "global/room", "not_a_scope/", "global/not_a_template/", "global/override/.m.rule.master/not_an_attr" })
            await (await a.GetAsync($"/_matrix/client/v3/pushrules/{path}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNRECOGNIZED");
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync("/_matrix/client/v3/pushrules")).StatusCode);

        foreach (var path in new[] { "", "global", "global/room", "global/room/", "global/not_a_template/foo", "global/override/.m.rule.master/not_an_attr" })
            await (await a.PutAsJsonAsync($"/_matrix/client/v3/pushrules/{path}", new { enabled = true, actions = new[] { "notify" } }))
                .AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNRECOGNIZED");
        await (await a.PutAsJsonAsync($"{Rules}/underride/no_conditions", new { actions = new[] { "notify" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await a.DeleteAsync($"{Rules}/room/")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNRECOGNIZED");

        // A rule ID is decoded exactly once: an encoded '/' is a '/', which rule IDs may not hold.
        await (await a.PutAsJsonAsync($"{Rules}/override/a%2Fb", new { conditions = Array.Empty<object>(), actions = new[] { "notify" } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync($"{Rules}/room/{Uri.EscapeDataString("!50%:example.com")}", new { actions = new[] { "notify" } })).AssertOkAsync();
        var rule = await (await a.GetAsync($"{Rules}/room/{Uri.EscapeDataString("!50%:example.com")}")).AssertOkAsync();
        Assert.Equal("!50%:example.com", rule.GetProperty("rule_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PushRules_ReachSync_AsAccountData(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var initial = await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync();
        var rules = PushRulesEvent(initial) ?? throw new Xunit.Sdk.XunitException("initial sync has no m.push_rules");
        Assert.Equal(".m.rule.master", Ids(rules.GetProperty("global"), "override")[0]);

        var since = initial.GetProperty("next_batch").GetString();
        var poll = a.GetAsync($"/_matrix/client/v3/sync?timeout=10000&since={since}");
        await Task.Delay(200);
        await (await a.PutAsJsonAsync($"{Rules}/room/{Uri.EscapeDataString("!quiet:test.local")}", new { actions = Array.Empty<string>() })).AssertOkAsync();
        var changed = PushRulesEvent(await (await poll).AssertOkAsync()) ?? throw new Xunit.Sdk.XunitException("no m.push_rules after a change");
        Assert.Equal(["!quiet:test.local"], Ids(changed.GetProperty("global"), "room"));

        var again = PushRulesEvent(await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync())!.Value;
        Assert.Equal(["!quiet:test.local"], Ids(again.GetProperty("global"), "room"));
    }

    private static JsonElement? PushRulesEvent(JsonElement sync) =>
        sync.GetProperty("account_data").GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "m.push_rules").Select(e => e.GetProperty("content")).Cast<JsonElement?>().SingleOrDefault();
}
