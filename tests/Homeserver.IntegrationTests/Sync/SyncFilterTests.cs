using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>Sync filters beyond the timeline limit, <c>full_state</c>, the knock section and the WebSocket cap per address.</summary>
public sealed class SyncFilterTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static IEnumerable<string> Senders(IEnumerable<JsonElement> events) => events.Select(e => e.GetProperty("sender").GetString()!);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TimelineTypesAndSenders_CutTheTimeline(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await a.SendTextAsync(roomId, "from alice");
        await b.SendTextAsync(roomId, "from bob");
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.topic/", new { topic = "t" })).AssertOkAsync();

        var onlyMessages = Timeline(await SyncAsync(a, filter: """{"room":{"timeline":{"types":["m.room.message"]}}}"""), roomId);
        Assert.Equal(["from alice", "from bob"], onlyMessages.Bodies());
        Assert.All(onlyMessages, e => Assert.Equal("m.room.message", Type(e)));

        var notAlice = Timeline(await SyncAsync(a, filter: JsonSerializer.Serialize(new { room = new { timeline = new { not_senders = new[] { alice.UserId } } } })), roomId);
        Assert.NotEmpty(notAlice);
        Assert.All(Senders(notAlice), s => Assert.Equal(bob.UserId, s));

        var wildcard = Timeline(await SyncAsync(a, filter: """{"room":{"timeline":{"not_types":["m.room.*"]}}}"""), roomId);
        Assert.Empty(wildcard);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomsAndNotRooms_ChooseTheRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var first = await a.CreateRoomAsync();
        var second = await a.CreateRoomAsync();

        Assert.Equal([first], RoomIds(await SyncAsync(a, filter: JsonSerializer.Serialize(new { room = new { rooms = new[] { first } } })), "join"));
        var without = RoomIds(await SyncAsync(a, filter: JsonSerializer.Serialize(new { room = new { not_rooms = new[] { first } } })), "join");
        Assert.Contains(second, without);
        Assert.DoesNotContain(first, without);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LazyLoadMembers_SendsOnlyTheMembersOfTimelineSenders_AndASummary(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        await c.JoinAsync(roomId);
        await b.SendTextAsync(roomId, "bob one");
        await b.SendTextAsync(roomId, "bob two");

        var lazy = Room(await SyncAsync(a, filter: """{"room":{"timeline":{"limit":2},"state":{"lazy_load_members":true}}}"""), "join", roomId);
        var lazyMembers = Events(lazy, "state").Where(e => Type(e) == "m.room.member").Select(e => StateKey(e)!).Order().ToList();
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order().ToList(), lazyMembers);
        Assert.Contains(Events(lazy, "state"), e => Type(e) == "m.room.create");
        var summary = lazy.GetProperty("summary");
        Assert.Equal(3, summary.GetProperty("m.joined_member_count").GetInt32());
        Assert.Equal(0, summary.GetProperty("m.invited_member_count").GetInt32());
        Assert.Equal(new[] { bob.UserId, carol.UserId }.Order(StringComparer.Ordinal).ToList(),
            summary.GetProperty("m.heroes").EnumerateArray().Select(h => h.GetString()!).ToList());

        var full = Room(await SyncAsync(a, filter: """{"room":{"timeline":{"limit":2}}}"""), "join", roomId);
        Assert.Equal(3, Events(full, "state").Count(e => Type(e) == "m.room.member"));

        var onlyTopics = Room(await SyncAsync(a, filter: """{"room":{"timeline":{"limit":1},"state":{"types":["m.room.create"]}}}"""), "join", roomId);
        Assert.Equal(["m.room.create"], Events(onlyTopics, "state").Select(Type).ToList());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PresenceAccountDataAndEphemeralFilters_DropTheirEvents(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/account_data/org.example.keep", new { k = 1 })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/account_data/org.example.drop", new { k = 2 })).AssertOkAsync();
        await SyncAsync(b);
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/typing/{Uri.EscapeDataString(bob.UserId)}",
            new { typing = true, timeout = 30_000 })).AssertOkAsync();

        var unfiltered = await SyncAsync(a);
        Assert.Contains(Events(unfiltered, "presence"), e => e.GetProperty("sender").GetString() == bob.UserId);
        Assert.Contains(Events(Room(unfiltered, "join", roomId), "ephemeral"), e => Type(e) == "m.typing");

        var filtered = await SyncAsync(a, filter: """
            {"presence":{"not_types":["*"]},"account_data":{"types":["org.example.keep"]},"room":{"ephemeral":{"not_types":["m.typing"]}}}
            """);
        Assert.Empty(Events(filtered, "presence"));
        Assert.Equal(["org.example.keep"], Events(filtered, "account_data").Select(Type).ToList());
        Assert.DoesNotContain(Events(Room(filtered, "join", roomId), "ephemeral"), e => Type(e) == "m.typing");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task FullState_IncrementalSync_ListsQuietRoomsWithWholeStateAndSinceLimitedTimeline(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var quiet = await a.CreateRoomAsync();
        var busy = await a.CreateRoomAsync();
        await a.SendTextAsync(busy, "old");
        var since = NextBatch(await SyncAsync(a));
        await a.SendTextAsync(busy, "new");

        var sync = await (await a.GetAsync($"/_matrix/client/v3/sync?since={Uri.EscapeDataString(since)}&full_state=true")).AssertOkAsync();
        var quietRoom = Room(sync, "join", quiet);
        Assert.Empty(Events(quietRoom, "timeline"));
        Assert.Contains(Events(quietRoom, "state"), e => Type(e) == "m.room.create");
        var busyRoom = Room(sync, "join", busy);
        Assert.Equal(["new"], Events(busyRoom, "timeline").Bodies());
        Assert.Contains(Events(busyRoom, "state"), e => Type(e) == "m.room.power_levels");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Knock_AppearsUnderKnockWithStrippedState(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new
        {
            room_version = "11",
            initial_state = new[] { new { type = "m.room.join_rules", state_key = "", content = new { join_rule = "knock" } } },
        });
        var since = NextBatch(await SyncAsync(b));
        await (await b.PostAsJsonAsync($"/_matrix/client/v3/knock/{Uri.EscapeDataString(roomId)}", new { reason = "let me in" })).AssertOkAsync();

        var knocked = Room(await SyncAsync(b, since), "knock", roomId);
        var stripped = Events(knocked, "knock_state");
        Assert.Equal("knock", Single(stripped, "m.room.join_rules").GetProperty("content").GetProperty("join_rule").GetString());
        Assert.DoesNotContain(roomId, RoomIds(await SyncAsync(b, since), "join"));
    }

    [Theory]
    [InlineData("""{"room":{"timeline":{"limit":-1}}}""")]
    [InlineData("""{"room":"everything"}""")]
    [InlineData("""{"room":{"timeline":{"types":"m.room.message"}}}""")]
    [InlineData("""{"presence":{"senders":[1]}}""")]
    [InlineData("""["not","an","object"]""")]
    public async Task MalformedFilter_IsA400(string filter)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var res = await a.GetAsync(SyncPath(filter: filter));
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)res.StatusCode}: {text}");
        var errcode = JsonDocument.Parse(text).RootElement.GetProperty("errcode").GetString();
        Assert.True(errcode is "M_INVALID_PARAM" or "M_BAD_JSON", text);
    }

    [Fact]
    public async Task WebSockets_PerAddressCap_RefusesTheNextWith429()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Limits.MaxWebsocketsPerAddress = 2);
        var user = await hs.RegisterAsync();
        using var first = await ConnectAsync(hs, user);
        using var second = await ConnectAsync(hs, user);
        Assert.NotNull(await ReceiveAsync(first, TimeSpan.FromSeconds(10)));
        Assert.NotNull(await ReceiveAsync(second, TimeSpan.FromSeconds(10)));

        using var third = new ClientWebSocket();
        third.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(hs.BaseAddress) { Scheme = "ws", Path = "/_matrix/client/v3/sync", Query = "access_token=" + Uri.EscapeDataString(user.AccessToken) }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => third.ConnectAsync(uri, CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.HttpStatusCode);
        Assert.True(third.HttpResponseHeaders?.ContainsKey("Retry-After"), "no Retry-After on the refusal");

        // Closing one frees its slot.
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var again = new ClientWebSocket();
            try
            {
                await again.ConnectAsync(uri, CancellationToken.None);
                Assert.NotNull(await ReceiveAsync(again, TimeSpan.FromSeconds(10)));
                break;
            }
            catch (WebSocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
