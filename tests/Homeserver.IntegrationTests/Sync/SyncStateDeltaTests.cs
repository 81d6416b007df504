using System.Text.Json;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>
/// The state section of incremental syncs: what changed in a gap, a changed membership that is no rejoin, a room
/// joined and left between two syncs, and state hidden by history visibility that is still current.
/// </summary>
public sealed class SyncStateDeltaTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string StateType = "org.example.state";

    private static List<JsonElement> State(JsonElement room) => Events(room, "state");

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GappedSync_SendsOnlyTheStateThatChangedInTheGap(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await a.SendStateAsync(roomId, StateType, new { v = 1 }, "changes");
        await a.SendStateAsync(roomId, StateType, new { v = 1 }, "stays");
        var filter = JsonSerializer.Serialize(new { room = new { timeline = new { types = new[] { "m.room.message" }, limit = 1 }, state = new { types = new[] { StateType } } } });
        var first = await SyncAsync(a, filter: filter);
        Assert.Equal(2, State(Room(first, "join", roomId)).Count);

        await a.SendStateAsync(roomId, StateType, new { v = 2 }, "changes");
        for (var i = 0; i < 3; i++)
            await a.SendTextAsync(roomId, $"m{i}");
        var gapped = Room(await SyncAsync(a, NextBatch(first), filter: filter), "join", roomId);

        Assert.True(Limited(gapped));
        var changed = Assert.Single(State(gapped));
        Assert.Equal("changes", StateKey(changed));
        Assert.Equal(2, changed.GetProperty("content").GetProperty("v").GetInt32());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DisplayNameChange_IsNoRejoin(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var since = NextBatch(await SyncAsync(a));

        await a.SendStateAsync(roomId, "m.room.member", new { membership = "join", displayname = "boris" }, alice.UserId);
        await a.SendTextAsync(roomId, "after the rename");
        var room = Room(await SyncAsync(a, since), "join", roomId);

        Assert.False(Limited(room));
        Assert.Empty(State(room));
        Assert.Equal(["m.room.member", "m.room.message"], Events(room, "timeline").Select(Type).ToList());
        var quiet = await SyncAsync(a, since, filter: """{"room":{"timeline":{"types":[]},"state":{"types":["m.room.create"]}}}""");
        Assert.DoesNotContain(roomId, RoomIds(quiet, "join"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task JoinAndLeaveBetweenSyncs_LeaveSectionCarriesTheWholeState(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await a.SendStateAsync(roomId, StateType, new { v = 1 });
        await a.InviteAsync(roomId, bob.UserId);
        var filter = JsonSerializer.Serialize(new { room = new { timeline = new { types = Array.Empty<string>() }, state = new { types = new[] { StateType } }, include_leave = true } });
        var since = NextBatch(await SyncAsync(b, filter: filter));

        await b.JoinAsync(roomId);
        await b.LeaveAsync(roomId);
        var left = Room(await SyncAsync(b, since, filter: filter), "leave", roomId);

        Assert.Equal(StateType, Type(Assert.Single(State(left))));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RejoinedRoom_TimelineShowsWhoJoinedWhileAway_EvenWithJoinedHistory(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        await a.SendStateAsync(roomId, "m.room.history_visibility", new { history_visibility = "joined" });
        var since = NextBatch(await SyncAsync(b));

        await b.LeaveAsync(roomId);
        await c.JoinAsync(roomId);
        await a.SendTextAsync(roomId, "while bob was away");
        await b.JoinAsync(roomId);
        var timeline = Timeline(await SyncAsync(b, since), roomId);

        Assert.Contains(timeline, e => Type(e) == "m.room.member" && StateKey(e) == carol.UserId);
        Assert.DoesNotContain(timeline, e => Type(e) == "m.room.message");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NamedRoom_SummaryHasNoHeroes(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        Assert.True(Room(await SyncAsync(a), "join", roomId).GetProperty("summary").TryGetProperty("m.heroes", out _));

        await a.SendStateAsync(roomId, "m.room.name", new { name = "A room name" });
        var summary = Room(await SyncAsync(b), "join", roomId).GetProperty("summary");

        Assert.False(summary.TryGetProperty("m.heroes", out _));
        Assert.Equal(2, summary.GetProperty("m.joined_member_count").GetInt32());
    }
    private static List<string> StateMembers(JsonElement room) =>
        State(room).Where(e => Type(e) == "m.room.member").Select(e => StateKey(e)!).Order(StringComparer.Ordinal).ToList();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LazyMembers_IncrementalSyncSendsOnlyNewSenders_UnlessRedundantAsked(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        await c.JoinAsync(roomId);
        await b.SendTextAsync(roomId, "bob");
        const string lazy = """{"room":{"timeline":{"limit":10},"state":{"lazy_load_members":true}}}""";
        const string redundant = """{"room":{"timeline":{"limit":10},"state":{"lazy_load_members":true,"include_redundant_members":true}}}""";
        // A timeline of Bob's message only: Carol's join is not in it, so her member event is not sent.
        var first = await SyncAsync(a, filter: """{"room":{"timeline":{"limit":1},"state":{"lazy_load_members":true}}}""");
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(StringComparer.Ordinal).ToList(), StateMembers(Room(first, "join", roomId)));

        await b.SendTextAsync(roomId, "bob again");
        await c.SendTextAsync(roomId, "carol");
        var next = Room(await SyncAsync(a, NextBatch(first), filter: lazy), "join", roomId);
        // Bob's member event came with the first sync (he sent in its timeline): only Carol's is new. Alice's own is not resent.
        Assert.Equal([carol.UserId], StateMembers(next));

        var asked = Room(await SyncAsync(a, NextBatch(first), filter: redundant), "join", roomId);
        Assert.Equal(new[] { bob.UserId, carol.UserId }.Order(StringComparer.Ordinal).ToList(), StateMembers(asked));
        Assert.DoesNotContain(alice.UserId, StateMembers(asked));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LazyMembers_GappedSyncIncludesTheGapsMembershipChanges(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (dave, d) = await hs.RegisterClientAsync();
        const string lazy = """{"room":{"timeline":{"limit":2},"state":{"lazy_load_members":true}}}""";
        await b.SendTextAsync(roomId, "bob");
        var first = await SyncAsync(a, filter: lazy);

        await d.JoinAsync(roomId);
        for (var i = 0; i < 3; i++)
            await b.SendTextAsync(roomId, $"bob {i}");
        var gapped = Room(await SyncAsync(a, NextBatch(first), filter: lazy), "join", roomId);

        Assert.True(Limited(gapped));
        Assert.Equal([dave.UserId], StateMembers(gapped));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NewlyJoinedRoom_IsLimited_AndBringsItsMembersPresence(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await SyncAsync(a);
        var aliceSince = NextBatch(await SyncAsync(a));
        var bobSince = NextBatch(await SyncAsync(b));

        await b.JoinAsync(roomId);
        var bobs = await SyncAsync(b, bobSince);
        Assert.True(Limited(Room(bobs, "join", roomId)));
        Assert.Contains(Events(bobs, "presence"), e => e.GetProperty("sender").GetString() == alice.UserId);
        Assert.Contains(Events(await SyncAsync(a, aliceSince), "presence"), e => e.GetProperty("sender").GetString() == bob.UserId);
        Assert.DoesNotContain(Events(await SyncAsync(b, NextBatch(bobs)), "presence"), e => e.GetProperty("sender").GetString() == alice.UserId);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IncludeLeave_IncrementalSyncListsOnlyRoomsLeftSinceTheToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        var roomId = await b.CreateRoomAsync(new { preset = "public_chat" });
        await a.JoinAsync(roomId);
        const string filter = """{"room":{"timeline":{"limit":1},"include_leave":true}}""";
        var first = await SyncAsync(a, filter: filter);
        await a.LeaveAsync(roomId);
        var left = await SyncAsync(a, NextBatch(first), filter: filter);
        Assert.Contains(roomId, RoomIds(left, "leave"));

        await b.SendTextAsync(roomId, "after alice left");
        Assert.DoesNotContain(roomId, RoomIds(await SyncAsync(a, NextBatch(left), filter: filter), "leave"));
        Assert.Contains(roomId, RoomIds(await SyncAsync(a, filter: filter), "leave"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SparseTimelineFilter_FindsAnOldMatchWithoutClaimingALimit(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "the only message");
        for (var i = 0; i < 30; i++)
            await a.SendStateAsync(roomId, StateType, new { i }, $"k{i}");

        var room = Room(await SyncAsync(a, filter: """{"room":{"timeline":{"limit":1,"types":["m.room.message"]}}}"""), "join", roomId);
        Assert.Equal(["the only message"], Events(room, "timeline").Bodies());
        Assert.False(Limited(room));
    }
}
