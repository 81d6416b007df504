using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.IntegrationTests.Rooms;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Ingest;

/// <summary>
/// A room whose DAG forks (two events on the same parent, as two nodes or servers writing at once make it) is
/// stored with both branches, joined again by the next local event, and served the same way by every read.
/// </summary>
public sealed class ForkedRoomTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TwoEventsOnOneParent_AreBothKept_JoinedByTheNextSend_AndServedConsistently(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var alice = await hs.RegisterAsync();
        using var client = hs.ClientFor(alice);
        var roomId = await client.CreateRoomAsync(new { preset = "private_chat" });
        var m1 = await client.SendTextAsync(roomId, "m1");
        var since = SyncClient.NextBatch(await SyncClient.SyncAsync(client));

        var ingest = new IngestEvents(hs);
        var forkA = await ingest.BuildAsync(roomId, alice.UserId, "m.room.message", IngestEvents.Text("fork-a"), [m1]);
        var forkB = await ingest.BuildAsync(roomId, alice.UserId, "m.room.message", IngestEvents.Text("fork-b"), [m1]);
        Assert.NotNull(await ingest.ReceiveAsync(forkA));
        Assert.NotNull(await ingest.ReceiveAsync(forkB));
        var extremities = (await hs.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(roomId, default)).Select(e => e.EventId).ToHashSet();
        Assert.Equal(new HashSet<string> { forkA.EventId.ToString(), forkB.EventId.ToString() }, extremities);

        var m4 = await client.SendTextAsync(roomId, "m4");
        var m4Pdu = JsonNode.Parse((await hs.Services.GetRequiredService<EventStore>().GetAsync(m4, default))!.Json)!;
        Assert.Equal(extremities, m4Pdu["prev_events"]!.AsArray().Select(p => p!.GetValue<string>()).ToHashSet());
        Assert.Equal(forkA.Depth + 1, m4Pdu["depth"]!.GetValue<long>());

        // /sync from before the fork: both branches, then the join, in the order the server stored them.
        var sync = await SyncClient.SyncAsync(client, since);
        var timeline = sync.GetProperty("rooms").GetProperty("join").GetProperty(roomId).GetProperty("timeline").GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["fork-a", "fork-b", "m4"], timeline.Bodies());

        // /messages backwards and forwards: the same events in reverse and in the same order.
        Assert.Equal(["m4", "fork-b", "fork-a", "m1"], (await client.MessagesAsync(roomId, "dir=b&limit=4")).Bodies());
        var forwards = (await client.MessagesAsync(roomId, "dir=f&limit=100")).Bodies().ToList();
        Assert.Equal(["m1", "fork-a", "fork-b", "m4"], forwards);

        // /context around one branch sees the other branch and the join after it.
        var context = await (await client.GetRoomAsync(roomId, $"context/{Uri.EscapeDataString(forkA.EventId.ToString())}?limit=10")).AssertOkAsync();
        Assert.Equal("fork-a", context.GetProperty("event").GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(["fork-b", "m4"], context.GetProperty("events_after").EnumerateArray().Bodies());
        Assert.Equal("m1", context.GetProperty("events_before").EnumerateArray().Bodies().First());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task StateSetOnTwoBranches_IsMergedForTheEventThatJoinsThem(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var alice = await hs.RegisterAsync();
        using var client = hs.ClientFor(alice);
        var roomId = await client.CreateRoomAsync(new { preset = "private_chat" });
        var m1 = await client.SendTextAsync(roomId, "m1");

        var ingest = new IngestEvents(hs);
        var name = await ingest.BuildAsync(roomId, alice.UserId, "m.room.name", new JsonObject { ["name"] = "Branch A" }, [m1], stateKey: "");
        var topic = await ingest.BuildAsync(roomId, alice.UserId, "m.room.topic", new JsonObject { ["topic"] = "Branch B" }, [m1], stateKey: "");
        await ingest.ReceiveAsync(name);
        await ingest.ReceiveAsync(topic);
        var joined = await client.SendTextAsync(roomId, "joined");

        var row = (await hs.Services.GetRequiredService<EventStore>().GetAsync(joined, default))!;
        var before = await hs.Services.GetRequiredService<StateService>().GetGroupAsync(row.StateGroupBefore!.Value, default);
        Assert.Equal(name.EventId.ToString(), before[new StateEventKey("m.room.name", "")]);
        Assert.Equal(topic.EventId.ToString(), before[new StateEventKey("m.room.topic", "")]);
        var state = await (await client.GetRoomAsync(roomId, "state")).AssertOkAsync();
        Assert.Contains(state.EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.name"
            && e.GetProperty("content").GetProperty("name").GetString() == "Branch A");
        Assert.Contains(state.EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.topic"
            && e.GetProperty("content").GetProperty("topic").GetString() == "Branch B");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConflictingStateOnTwoBranches_IsResolvedByTheRoomVersionsAlgorithm_NotByArrival(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat", power_level_content_override = new { users = new Dictionary<string, int> { [bob.UserId] = 50 } } });
        await b.JoinAsync(roomId);
        var fork = await b.SendTextAsync(roomId, "before the fork");
        var levels = (JsonObject)JsonNode.Parse((await (await a.GetRoomAsync(roomId, "state/m.room.power_levels/")).AssertOkAsync()).GetRawText())!;
        levels["events"]!["m.room.name"] = 100;

        // Branch A, received first: Alice changes the power levels, then sets a topic. Branch B, from before her change
        // and received last: Bob, still a moderator, sets a topic. The newest parent is Bob's, but his topic rests on
        // the older power levels, so the mainline orders it first and Alice's, applied after it, is the room's topic.
        var ingest = new IngestEvents(hs);
        var powerLevels = await ingest.BuildAsync(roomId, alice.UserId, "m.room.power_levels", levels, [fork], stateKey: "");
        Assert.NotNull(await ingest.ReceiveAsync(powerLevels));
        var aliceTopic = await ingest.BuildAsync(roomId, alice.UserId, "m.room.topic", new JsonObject { ["topic"] = "alice's" }, [powerLevels.EventId.ToString()], stateKey: "");
        Assert.NotNull(await ingest.ReceiveAsync(aliceTopic));
        var bobTopic = await ingest.BuildAsync(roomId, bob.UserId, "m.room.topic", new JsonObject { ["topic"] = "bob's" }, [fork], stateKey: "");
        Assert.NotNull(await ingest.ReceiveAsync(bobTopic));

        var joined = await a.SendTextAsync(roomId, "joined");

        var row = (await hs.Services.GetRequiredService<EventStore>().GetAsync(joined, default))!;
        var before = await hs.Services.GetRequiredService<StateService>().GetGroupAsync(row.StateGroupBefore!.Value, default);
        Assert.Equal(aliceTopic.EventId.ToString(), before[new StateEventKey("m.room.topic", "")]);
        Assert.Equal(powerLevels.EventId.ToString(), before[new StateEventKey("m.room.power_levels", "")]);

        // Current state, /sync's state before its timeline, and /context's state at the join agree with it.
        Assert.Equal("alice's", (await (await a.GetRoomAsync(roomId, "state/m.room.topic/")).AssertOkAsync()).GetProperty("topic").GetString());
        Assert.Equal(100, (await (await a.GetRoomAsync(roomId, "state/m.room.power_levels/")).AssertOkAsync()).GetProperty("events").GetProperty("m.room.name").GetInt32());
        var sync = await SyncClient.SyncAsync(b, filter: """{"room":{"timeline":{"limit":1}}}""");
        Assert.Equal(["joined"], SyncClient.Timeline(sync, roomId).Bodies());
        var syncState = SyncClient.Events(SyncClient.Room(sync, "join", roomId), "state");
        Assert.Equal("alice's", SyncClient.Single(syncState, "m.room.topic").GetProperty("content").GetProperty("topic").GetString());
        var context = await (await b.GetRoomAsync(roomId, $"context/{Uri.EscapeDataString(joined)}?limit=2")).AssertOkAsync();
        var contextState = context.GetProperty("state").EnumerateArray().ToList();
        Assert.Equal("alice's", SyncClient.Single(contextState, "m.room.topic").GetProperty("content").GetProperty("topic").GetString());
        Assert.Equal(powerLevels.EventId.ToString(), SyncClient.Single(contextState, "m.room.power_levels").GetProperty("event_id").GetString());

        // Both branches stay in the timeline, in the order they were stored.
        var topics = (await b.MessagesAsync(roomId, "dir=b&limit=10")).Where(e => SyncClient.Type(e) == "m.room.topic")
            .Select(e => e.GetProperty("content").GetProperty("topic").GetString()).ToList();
        Assert.Equal(["bob's", "alice's"], topics);
    }
}
