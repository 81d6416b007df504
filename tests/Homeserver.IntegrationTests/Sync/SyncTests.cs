using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>
/// GET /sync, first version: initial and incremental sync, long polling, invites, leaving, history visibility,
/// timeline filters, token validation and tokens surviving a restart.
/// </summary>
public sealed class SyncTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task SendManyAsync(HttpClient c, string roomId, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
            await c.SendTextAsync(roomId, prefix + i);
    }

    private static string[] Names(string prefix, int from, int toInclusive) =>
        Enumerable.Range(from, toInclusive - from + 1).Select(i => prefix + i).ToArray();

    private static async Task AssertInvalidFilterErrorAsync(HttpResponseMessage res)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"expected 400 or 404, got {(int)res.StatusCode}: {text}");
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        var errcode = body.GetProperty("errcode").GetString();
        Assert.True(errcode is "M_INVALID_PARAM" or "M_NOT_FOUND", $"expected M_INVALID_PARAM or M_NOT_FOUND, got {text}");
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
    }

    // ---- 1. Initial sync ----

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_NoRooms_ReturnsNextBatchAndNoRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var sync = await SyncAsync(a);
        NextBatch(sync);
        Assert.Empty(RoomIds(sync, "join"));
        Assert.Empty(RoomIds(sync, "invite"));
        Assert.Empty(RoomIds(sync, "leave"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_LongRoom_TimelineHasLatestTenEventsLimitedAndStateAtItsStart(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { name = "Long room" });
        var other = await a.CreateRoomAsync(new { name = "Other room" });
        await SendManyAsync(a, roomId, "m", 15);

        var sync = await SyncAsync(a);
        NextBatch(sync);
        Assert.Contains(roomId, RoomIds(sync, "join"));
        Assert.Contains(other, RoomIds(sync, "join"));
        var room = Room(sync, "join", roomId);
        var timeline = Events(room, "timeline");
        Assert.Equal(10, timeline.Count);
        Assert.Equal(Names("m", 5, 14), timeline.Bodies());
        Assert.True(Limited(room), $"expected limited: {room}");
        foreach (var e in timeline)
        {
            Assert.StartsWith("$", e.GetProperty("event_id").GetString());
            Assert.Equal(alice.UserId, e.GetProperty("sender").GetString());
            Assert.True(e.GetProperty("origin_server_ts").GetInt64() > 0);
            Assert.Equal(JsonValueKind.Object, e.GetProperty("content").ValueKind);
        }

        // State is the room state at the start of the timeline: the creation events, none of the timeline's.
        var state = Events(room, "state");
        Assert.Equal(alice.UserId, Single(state, "m.room.create").GetProperty("sender").GetString());
        Assert.Equal("Long room", Single(state, "m.room.name").GetProperty("content").GetProperty("name").GetString());
        Assert.Equal("join", Single(state, "m.room.member", alice.UserId).GetProperty("content").GetProperty("membership").GetString());
        Assert.Single(state, e => Type(e) == "m.room.power_levels");
        Assert.All(state, e => Assert.NotNull(StateKey(e)));
        var timelineIds = timeline.Select(e => e.GetProperty("event_id").GetString()).ToHashSet();
        Assert.DoesNotContain(state, e => timelineIds.Contains(e.GetProperty("event_id").GetString()));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_ShortRoom_TimelineHoldsWholeHistoryNotLimited(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "only message");
        var all = await a.MessagesAsync(roomId, "dir=f&limit=100");
        Assert.True(all.Count <= 10, $"precondition: room has {all.Count} events, more than the default limit");

        var room = Room(await SyncAsync(a), "join", roomId);
        var timeline = Events(room, "timeline");
        Assert.Equal(all.Select(e => e.GetProperty("event_id").GetString()), timeline.Select(e => e.GetProperty("event_id").GetString()));
        Assert.Equal("m.room.create", Type(timeline[0]));
        Assert.False(Limited(room), $"nothing older exists, yet limited: {room}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_StateChangeInsideTimeline_StateHoldsTheValueAtTimelineStart(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { name = "Before" });
        await SendManyAsync(a, roomId, "m", 12);
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.name/", new { name = "After" })).AssertOkAsync();
        await SendManyAsync(a, roomId, "n", 2);

        var room = Room(await SyncAsync(a), "join", roomId);
        var timeline = Events(room, "timeline");
        // Last ten: m5..m11, the rename, n0, n1.
        Assert.Equal(10, timeline.Count);
        Assert.Equal([.. Names("m", 5, 11), "n0", "n1"], timeline.Bodies());
        Assert.Equal("After", Single(timeline, "m.room.name").GetProperty("content").GetProperty("name").GetString());
        Assert.Equal("Before", Single(Events(room, "state"), "m.room.name").GetProperty("content").GetProperty("name").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_PrevBatch_PaginatesToTheEventsJustBeforeTheTimeline(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        await SendManyAsync(a, roomId, "m", 15);

        var room = Room(await SyncAsync(a), "join", roomId);
        Assert.Equal(Names("m", 5, 14), Events(room, "timeline").Bodies());
        Assert.True(room.GetProperty("timeline").TryGetProperty("prev_batch", out var prevBatch), $"no prev_batch: {room}");
        var before = await a.MessagesAsync(roomId, "dir=b&limit=5&from=" + Uri.EscapeDataString(prevBatch.GetString()!));
        Assert.Equal(5, before.Count);
        Assert.Equal(["m4", "m3", "m2", "m1", "m0"], before.Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_GlobalAccountData_IsInAccountDataEvents(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        await (await a.PutAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/account_data/org.example.sync",
            Json("""{"colour":"teal","n":3}"""))).AssertOkAsync();

        var sync = await SyncAsync(a);
        var ev = Assert.Single(Events(sync, "account_data"), e => Type(e) == "org.example.sync");
        Assert.Equal("teal", ev.GetProperty("content").GetProperty("colour").GetString());
        Assert.Equal(3, ev.GetProperty("content").GetProperty("n").GetInt32());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_RoomAccountData_IsUnderItsRoomOnly(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var other = await a.CreateRoomAsync();
        await (await a.PutAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/rooms/{Uri.EscapeDataString(roomId)}/account_data/org.example.room",
            Json("""{"pinned":true}"""))).AssertOkAsync();

        var sync = await SyncAsync(a);
        var ev = Assert.Single(Events(Room(sync, "join", roomId), "account_data"), e => Type(e) == "org.example.room");
        Assert.True(ev.GetProperty("content").GetProperty("pinned").GetBoolean());
        Assert.DoesNotContain(Events(Room(sync, "join", other), "account_data"), e => Type(e) == "org.example.room");
        Assert.DoesNotContain(Events(sync, "account_data"), e => Type(e) == "org.example.room");
    }

    // ---- 2. Incremental sync ----

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IncrementalSync_NewMessage_OnlyItIsDeliveredAndQuietRoomIsAbsent(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var busy = await a.CreateRoomAsync();
        var quiet = await a.CreateRoomAsync();
        await a.SendTextAsync(busy, "old");
        await a.SendTextAsync(quiet, "old quiet");
        var first = await SyncAsync(a);
        var since = NextBatch(first);

        var newId = await a.SendTextAsync(busy, "new");
        var sync = await SyncAsync(a, since);
        Assert.Equal([busy], RoomIds(sync, "join"));
        var timeline = Timeline(sync, busy);
        var only = Assert.Single(timeline);
        Assert.Equal(newId, only.GetProperty("event_id").GetString());
        Assert.Equal(["new"], timeline.Bodies());
        Assert.NotEqual(since, NextBatch(sync));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IncrementalSync_NextBatch_AdvancesPastDeliveredEvents(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var t0 = NextBatch(await SyncAsync(a));

        await a.SendTextAsync(roomId, "one");
        var s1 = await SyncAsync(a, t0);
        Assert.Equal(["one"], Timeline(s1, roomId).Bodies());
        var t1 = NextBatch(s1);
        Assert.NotEqual(t0, t1);

        var s2 = await SyncAsync(a, t1);
        Assert.Empty(RoomIds(s2, "join"));

        await a.SendTextAsync(roomId, "two");
        var s3 = await SyncAsync(a, NextBatch(s2));
        Assert.Equal(["two"], Timeline(s3, roomId).Bodies());
        Assert.NotEqual(t1, NextBatch(s3));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IncrementalSync_OldTokenReused_ReturnsTheSameEventsAgain(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var t0 = NextBatch(await SyncAsync(a));
        var first = await a.SendTextAsync(roomId, "a");
        var second = await a.SendTextAsync(roomId, "b");

        var once = await SyncAsync(a, t0);
        var again = await SyncAsync(a, t0);
        string?[] expected = [first, second];
        Assert.Equal(expected, Timeline(once, roomId).Select(e => e.GetProperty("event_id").GetString()));
        Assert.Equal(expected, Timeline(again, roomId).Select(e => e.GetProperty("event_id").GetString()));
        Assert.Empty(RoomIds(await SyncAsync(a, NextBatch(once)), "join"));
    }

    // ---- 3. Long polling ----

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LongPoll_MessageInSharedRoom_WakesTheHeldRequest(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (bob, b) = await hs.RegisterClientAsync();
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { invite = new[] { bob.UserId } });
        await b.JoinAsync(roomId);
        var since = NextBatch(await SyncAsync(b));

        var clock = Stopwatch.StartNew();
        var pending = b.GetAsync(SyncPath(since, timeout: 10_000));
        await Task.Delay(1000);
        Assert.False(pending.IsCompleted, "nothing new, yet the long poll returned within 1 s");
        var sentAt = clock.Elapsed;
        await a.SendTextAsync(roomId, "wake up");
        var sync = await (await pending).AssertOkAsync();
        var woke = clock.Elapsed - sentAt;

        Assert.True(woke < TimeSpan.FromSeconds(5), $"returned {woke.TotalMilliseconds:F0} ms after the send");
        Assert.Equal(["wake up"], Timeline(sync, roomId).Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LongPoll_NothingNew_ReturnsAfterTheTimeoutWithNoRoomEvents(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "before");
        var since = NextBatch(await SyncAsync(a));

        var clock = Stopwatch.StartNew();
        var sync = await SyncAsync(a, since, timeout: 500);
        var elapsed = clock.Elapsed;

        Assert.True(elapsed >= TimeSpan.FromMilliseconds(400), $"returned after {elapsed.TotalMilliseconds:F0} ms, before the 500 ms timeout");
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"returned after {elapsed.TotalMilliseconds:F0} ms for a 500 ms timeout");
        NextBatch(sync);
        Assert.Empty(RoomIds(sync, "join"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LongPoll_EventInRoomUserIsNotIn_DoesNotWakeThem(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (dave, d) = await hs.RegisterClientAsync();
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mine = await a.CreateRoomAsync();
        var theirs = await c.CreateRoomAsync(new { invite = new[] { dave.UserId } });
        await d.JoinAsync(theirs);
        var since = NextBatch(await SyncAsync(a));

        var clock = Stopwatch.StartNew();
        var pending = a.GetAsync(SyncPath(since, timeout: 3000));
        await Task.Delay(200);
        await c.SendTextAsync(theirs, "not for alice");
        await Task.Delay(1000);
        Assert.False(pending.IsCompleted, "an event in a room alice is not in woke her long poll");
        var sync = await (await pending).AssertOkAsync();
        var elapsed = clock.Elapsed;

        Assert.True(elapsed >= TimeSpan.FromMilliseconds(2500), $"returned after {elapsed.TotalMilliseconds:F0} ms, before the 3000 ms timeout");
        Assert.Empty(RoomIds(sync, "join"));
        Assert.DoesNotContain(theirs, RoomIds(sync, "invite"));
        Assert.DoesNotContain(theirs, RoomIds(sync, "leave"));
        Assert.DoesNotContain(mine, RoomIds(sync, "join"));
    }

    // ---- 4. Invites ----

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Invite_InitialSync_ListsRoomUnderInviteWithStrippedState(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { name = "Invite only", preset = "private_chat" });
        await a.InviteAsync(roomId, bob.UserId);

        var sync = await SyncAsync(b);
        Assert.DoesNotContain(roomId, RoomIds(sync, "join"));
        var stripped = Events(Room(sync, "invite", roomId), "invite_state");
        var invite = Single(stripped, "m.room.member", bob.UserId);
        Assert.Equal("invite", invite.GetProperty("content").GetProperty("membership").GetString());
        Assert.Equal(alice.UserId, invite.GetProperty("sender").GetString());
        Single(stripped, "m.room.create");
        Assert.Equal("invite", Single(stripped, "m.room.join_rules").GetProperty("content").GetProperty("join_rule").GetString());
        Assert.Equal("Invite only", Single(stripped, "m.room.name").GetProperty("content").GetProperty("name").GetString());
        Assert.All(stripped, e => Assert.Equal(JsonValueKind.String, e.GetProperty("sender").ValueKind));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Invite_IncrementalThenJoin_RoomMovesFromInviteToJoin(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "private_chat" });
        var t0 = NextBatch(await SyncAsync(b));
        Assert.Empty(RoomIds(await SyncAsync(b, t0), "invite"));

        await a.InviteAsync(roomId, bob.UserId);
        var invited = await SyncAsync(b, t0);
        Assert.Equal([roomId], RoomIds(invited, "invite"));
        Assert.Empty(RoomIds(invited, "join"));
        Assert.Equal("invite", Single(Events(Room(invited, "invite", roomId), "invite_state"), "m.room.member", bob.UserId)
            .GetProperty("content").GetProperty("membership").GetString());

        await b.JoinAsync(roomId);
        var joined = await SyncAsync(b, NextBatch(invited));
        Assert.Contains(roomId, RoomIds(joined, "join"));
        Assert.DoesNotContain(roomId, RoomIds(joined, "invite"));
        // A newly joined room comes with its recent history, which may include the invite too; the last membership is the join.
        var join = Timeline(joined, roomId).Last(e => Type(e) == "m.room.member" && StateKey(e) == bob.UserId);
        Assert.Equal("join", join.GetProperty("content").GetProperty("membership").GetString());
    }

    // ---- 5. Leaving ----

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Leave_IncrementalSync_ListsRoomUnderLeaveEndingWithTheLeaveEvent(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (bob, b) = await hs.RegisterClientAsync();
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        var t0 = NextBatch(await SyncAsync(b));

        await a.SendTextAsync(roomId, "before you go");
        await b.LeaveAsync(roomId);
        await a.SendTextAsync(roomId, "after you left");

        var left = await SyncAsync(b, t0);
        Assert.DoesNotContain(roomId, RoomIds(left, "join"));
        var timeline = Events(Room(left, "leave", roomId), "timeline");
        Assert.NotEmpty(timeline);
        var last = timeline[^1];
        var seen = string.Join(", ", timeline.Select(e => e.GetRawText()));
        Assert.True(Type(last) == "m.room.member" && StateKey(last) == bob.UserId, $"timeline does not end with bob's membership: {seen}");
        Assert.Equal("leave", last.GetProperty("content").GetProperty("membership").GetString());
        Assert.Equal(["before you go"], timeline.Bodies());

        await a.SendTextAsync(roomId, "much later");
        var after = await SyncAsync(b, NextBatch(left));
        Assert.DoesNotContain(roomId, RoomIds(after, "join"));
        Assert.DoesNotContain(roomId, RoomIds(after, "leave"));
        var initial = await SyncAsync(b);
        Assert.DoesNotContain(roomId, RoomIds(initial, "join"));
    }

    // ---- 6. History visibility ----

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task HistoryVisibilityJoined_NewMember_InitialSyncOmitsEarlierMessages(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new
        {
            preset = "public_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "joined" } } },
        });
        await a.SendTextAsync(roomId, "before bob");
        await b.JoinAsync(roomId);
        await a.SendTextAsync(roomId, "after bob");

        var bodies = Timeline(await SyncAsync(b), roomId).Bodies().ToList();
        Assert.Equal(["after bob"], bodies);
        // Control: the creator, joined throughout, sees both.
        Assert.Equal(["before bob", "after bob"], Timeline(await SyncAsync(a), roomId).Bodies());
    }

    // ---- 7. Filters and parameter validation ----

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Filter_InlineTimelineLimit_GivesTwoEventsLimited(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        await SendManyAsync(a, roomId, "m", 5);

        var room = Room(await SyncAsync(a, filter: """{"room":{"timeline":{"limit":2}}}"""), "join", roomId);
        var timeline = Events(room, "timeline");
        Assert.Equal(2, timeline.Count);
        Assert.Equal(["m3", "m4"], timeline.Bodies());
        Assert.True(Limited(room), $"expected limited: {room}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Filter_StoredId_WorksLikeTheInlineFilter(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await SendManyAsync(a, roomId, "m", 5);
        var created = await (await a.PostAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/filter",
            Json("""{"room":{"timeline":{"limit":2}}}"""))).AssertOkAsync();
        var filterId = created.GetProperty("filter_id").GetString()!;

        var room = Room(await SyncAsync(a, filter: filterId), "join", roomId);
        var timeline = Events(room, "timeline");
        Assert.Equal(2, timeline.Count);
        Assert.Equal(["m3", "m4"], timeline.Bodies());
        Assert.True(Limited(room), $"expected limited: {room}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Filter_UnknownId_IsAMatrixError(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await AssertInvalidFilterErrorAsync(await a.GetAsync(SyncPath(filter: "987654321")));
        await AssertInvalidFilterErrorAsync(await a.GetAsync(SyncPath(filter: "no-such-filter")));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("s")]
    [InlineData("s-5")]
    [InlineData("!!!")]
    [InlineData("s1")]
    [InlineData("s1_2_3_4_5_6_7_8")]
    [InlineData("s-1_0")]
    [InlineData("s99999999999999999999999_0")]
    public async Task Since_BadToken_IsInvalidParam(string since)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await (await a.GetAsync(SyncPath(since))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-30000")]
    [InlineData("soon")]
    [InlineData("10s")]
    public async Task Timeout_NegativeOrNonNumeric_Is400(string timeout)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var res = await a.GetAsync(SyncUrl + "?timeout=" + Uri.EscapeDataString(timeout));
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)res.StatusCode}: {text}");
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("M_", JsonDocument.Parse(text).RootElement.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task Sync_NoAccessToken_IsMissingToken()
    {
        var hs = await fixture.GetAsync("sqlite");
        await (await hs.Client.GetAsync(SyncUrl)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    // ---- 8. Restart ----

    [Fact]
    public async Task SinceToken_FromBeforeARestart_StillWorksAfterIt()
    {
        var dataDir = Directory.CreateTempSubdirectory("hs-sync-").FullName;
        TestUser alice;
        string roomId, since;
        await using (var hs = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir))
        {
            alice = await hs.RegisterAsync();
            using var a = hs.ClientFor(alice);
            roomId = await a.CreateRoomAsync();
            await a.SendTextAsync(roomId, "before the token");
            since = NextBatch(await SyncAsync(a));
            await a.SendTextAsync(roomId, "after the token");
        }
        await using var again = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir);
        using var c = again.ClientFor(alice);
        Assert.Equal(["after the token"], Timeline(await SyncAsync(c, since), roomId).Bodies());
        await c.SendTextAsync(roomId, "after the restart");
        var sync = await SyncAsync(c, since);
        Assert.Equal(["after the token", "after the restart"], Timeline(sync, roomId).Bodies());
        Assert.Empty(RoomIds(await SyncAsync(c, NextBatch(sync)), "join"));
    }
}
