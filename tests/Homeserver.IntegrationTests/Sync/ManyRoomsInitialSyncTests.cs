using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>
/// An initial sync reads the rows of all joined rooms together; each room must still get exactly its own timeline,
/// state, unread counts, receipts, summary and bundled relations.
/// </summary>
public sealed class ManyRoomsInitialSyncTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static async Task<string> SendAsync(HttpClient c, string roomId, object content) =>
        (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{Guid.NewGuid():N}", content))
            .AssertOkAsync()).GetProperty("event_id").GetString()!;

    private static object ThreadReply(string root, string body) => new Dictionary<string, object>
    {
        ["msgtype"] = "m.text", ["body"] = body,
        ["m.relates_to"] = new Dictionary<string, object> { ["rel_type"] = "m.thread", ["event_id"] = root },
    };

    private static object Edit(string original, string body) => new Dictionary<string, object>
    {
        ["msgtype"] = "m.text", ["body"] = "* " + body,
        ["m.new_content"] = new { msgtype = "m.text", body },
        ["m.relates_to"] = new { rel_type = "m.replace", event_id = original },
    };

    private static JsonElement Relations(JsonElement sync, string roomId, string eventId) =>
        Timeline(sync, roomId).Single(e => e.GetProperty("event_id").GetString() == eventId).GetProperty("unsigned").GetProperty("m.relations");

    private static (long Notifications, long Highlights) Unread(JsonElement room) =>
        (room.GetProperty("unread_notifications").GetProperty("notification_count").GetInt64(),
         room.GetProperty("unread_notifications").GetProperty("highlight_count").GetInt64());

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EachRoom_GetsItsOwnTimelineStateCountsReceiptsAndSummary(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        var withBob = await a.CreateRoomAsync(new { preset = "public_chat" });
        var withBoth = await a.CreateRoomAsync(new { preset = "public_chat" });
        var alone = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(withBob);
        await b.JoinAsync(withBoth);
        await c.JoinAsync(withBoth);
        await b.SendTextAsync(withBob, "one");
        await SendAsync(b, withBob, new Dictionary<string, object> { ["msgtype"] = "m.text", ["body"] = "two", ["m.mentions"] = new { user_ids = new[] { alice.UserId } } });
        var three = await b.SendTextAsync(withBob, "three");
        await (await b.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(withBob)}/receipt/m.read.private/{Uri.EscapeDataString(three)}", new { })).AssertOkAsync();
        var hello = await a.SendTextAsync(withBoth, "hello");
        await (await c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(withBoth)}/receipt/m.read/{Uri.EscapeDataString(hello)}", new { })).AssertOkAsync();
        await a.SendTextAsync(alone, "note to self");

        var sync = await SyncAsync(a, filter: """{"room":{"timeline":{"limit":2}}}""");

        var bobRoom = Room(sync, "join", withBob);
        Assert.Equal(["two", "three"], Timeline(sync, withBob).Bodies());
        Assert.True(Limited(bobRoom));
        Assert.Equal((3, 1), Unread(bobRoom));
        Assert.Empty(Events(bobRoom, "ephemeral"));
        Assert.Equal([bob.UserId], bobRoom.GetProperty("summary").GetProperty("m.heroes").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(2, bobRoom.GetProperty("summary").GetProperty("m.joined_member_count").GetInt32());
        var bobState = Events(bobRoom, "state");
        Assert.Equal(withBob, Single(bobState, "m.room.create").GetProperty("room_id").GetString());
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(StringComparer.Ordinal),
            bobState.Where(e => Type(e) == "m.room.member").Select(e => StateKey(e)).Order(StringComparer.Ordinal));

        var bothRoom = Room(sync, "join", withBoth);
        Assert.Equal((0, 0), Unread(bothRoom));
        var receipt = Assert.Single(Events(bothRoom, "ephemeral"));
        Assert.Equal("m.receipt", Type(receipt));
        Assert.True(receipt.GetProperty("content").GetProperty(hello).GetProperty("m.read").TryGetProperty(carol.UserId, out _));
        Assert.Equal(new[] { bob.UserId, carol.UserId }.Order(StringComparer.Ordinal),
            bothRoom.GetProperty("summary").GetProperty("m.heroes").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(3, bothRoom.GetProperty("summary").GetProperty("m.joined_member_count").GetInt32());

        var aloneRoom = Room(sync, "join", alone);
        Assert.Equal("note to self", Timeline(sync, alone)[^1].GetProperty("content").GetProperty("body").GetString());
        Assert.Empty(aloneRoom.GetProperty("summary").GetProperty("m.heroes").EnumerateArray());
        Assert.Equal([alice.UserId], Events(aloneRoom, "state").Concat(Timeline(sync, alone))
            .Where(e => Type(e) == "m.room.member").Select(e => StateKey(e)).Distinct());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EachRoom_BundlesItsOwnThreadsEditsAndRedactions(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var first = await a.CreateRoomAsync(new { preset = "public_chat" });
        var second = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(first);
        await b.JoinAsync(second);
        var bobsRoot = await b.SendTextAsync(first, "bob's thread");
        await SendAsync(b, first, ThreadReply(bobsRoot, "bob replies"));
        var latestInFirst = await SendAsync(b, first, ThreadReply(bobsRoot, "bob again"));
        var edited = await b.SendTextAsync(first, "helo");
        var bobsEdit = await SendAsync(b, first, Edit(edited, "hello"));
        await SendAsync(a, first, Edit(edited, "hijacked"));
        var secondRoot = await b.SendTextAsync(second, "another thread");
        var alicesReply = await SendAsync(a, second, ThreadReply(secondRoot, "alice replies"));
        var removed = await b.SendTextAsync(second, "oops");
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(second)}/redact/{Uri.EscapeDataString(removed)}/r1", new { reason = "typo" })).AssertOkAsync();

        var sync = await SyncAsync(a);

        var thread = Relations(sync, first, bobsRoot).GetProperty("m.thread");
        Assert.Equal(2, thread.GetProperty("count").GetInt32());
        Assert.Equal(latestInFirst, thread.GetProperty("latest_event").GetProperty("event_id").GetString());
        Assert.False(thread.GetProperty("current_user_participated").GetBoolean());
        Assert.Equal(bobsEdit, Relations(sync, first, edited).GetProperty("m.replace").GetProperty("event_id").GetString());
        Assert.False(Relations(sync, first, edited).TryGetProperty("m.thread", out _));

        var other = Relations(sync, second, secondRoot).GetProperty("m.thread");
        Assert.Equal(1, other.GetProperty("count").GetInt32());
        Assert.Equal(alicesReply, other.GetProperty("latest_event").GetProperty("event_id").GetString());
        Assert.True(other.GetProperty("current_user_participated").GetBoolean());
        var because = Timeline(sync, second).Single(e => e.GetProperty("event_id").GetString() == removed)
            .GetProperty("unsigned").GetProperty("redacted_because");
        Assert.Equal("m.room.redaction", Type(because));
        Assert.Equal("typo", because.GetProperty("content").GetProperty("reason").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomsReadInSeveralParts_EachGetTheirOwnTimelineAndState(string engine)
    {
        // More rooms than one part of the prefetch's reads holds, so rows come from several reads side by side.
        const int rooms = 40;
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var ids = new List<string>();
        for (var i = 0; i < rooms; i++)
        {
            ids.Add(await a.CreateRoomAsync(new { preset = "private_chat", name = $"room {i}" }));
            await a.SendTextAsync(ids[i], $"in room {i}");
        }

        // A one-event timeline leaves the rooms' state to the state sections, read ahead for all rooms too.
        var sync = await SyncAsync(a, filter: """{"room":{"timeline":{"limit":1}}}""");

        for (var i = 0; i < rooms; i++)
        {
            Assert.Equal($"in room {i}", Assert.Single(Timeline(sync, ids[i])).GetProperty("content").GetProperty("body").GetString());
            var state = Events(Room(sync, "join", ids[i]), "state");
            Assert.Equal($"room {i}", Single(state, "m.room.name").GetProperty("content").GetProperty("name").GetString());
            Assert.All(state, e => Assert.Equal(ids[i], e.GetProperty("room_id").GetString()));
        }
    }
}
