using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.SlidingSync.SlidingSyncClient;

namespace Homeserver.IntegrationTests.SlidingSync;

/// <summary>Simplified sliding sync (MSC4186) as Element X uses it: the room list, incremental updates, positions and extensions.</summary>
public sealed class SlidingSyncTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Fact]
    public async Task Versions_AdvertiseSimplifiedSlidingSync_AndNoOAuthServerIsAnnounced()
    {
        var hs = await fixture.GetAsync("sqlite");
        var versions = await (await hs.Client.GetAsync("/_matrix/client/versions")).AssertOkAsync();
        Assert.True(versions.GetProperty("unstable_features").GetProperty("org.matrix.simplified_msc3575").GetBoolean());
        // Element X falls back to password login when the OAuth metadata is missing.
        await (await hs.Client.GetAsync("/_matrix/client/unstable/org.matrix.msc2965/auth_metadata")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
        await (await hs.Client.GetAsync("/_matrix/client/v1/auth_metadata")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomList_FirstResponse_CountsRooms_AndSendsWhatElementXReads(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var encrypted = await a.CreateRoomAsync(new
        {
            initial_state = new[] { new { type = "m.room.encryption", state_key = "", content = new { algorithm = "m.megolm.v1.aes-sha2" } } },
        });
        var named = await a.CreateRoomAsync(new { name = "Team" });
        var dm = await a.CreateRoomAsync(new { invite = new[] { bob.UserId }, is_direct = true });
        await b.JoinAsync(dm);
        await b.SendTextAsync(dm, "hello alice");

        var first = await SyncAsync(a, RoomList());
        Assert.Equal(3, Count(first, "all_rooms"));
        Assert.Equal(new[] { dm, encrypted, named }.Order(), RoomIds(first).Order());
        var dmRoom = Room(first, dm);
        Assert.True(dmRoom.GetProperty("initial").GetBoolean());
        Assert.Equal(["hello alice"], Bodies(dmRoom));
        Assert.True(dmRoom.GetProperty("limited").GetBoolean());
        Assert.Equal(0, dmRoom.GetProperty("num_live").GetInt32());
        Assert.Equal(2, dmRoom.GetProperty("joined_count").GetInt32());
        Assert.Equal(0, dmRoom.GetProperty("invited_count").GetInt32());
        Assert.Equal(bob.UserId, dmRoom.GetProperty("heroes").EnumerateArray().Single().GetProperty("user_id").GetString());
        Assert.Equal(1, dmRoom.GetProperty("notification_count").GetInt32());
        Assert.Equal(0, dmRoom.GetProperty("highlight_count").GetInt32());
        // $ME and $LAZY: the user's own membership and the timeline sender's.
        Assert.True(HasState(dmRoom, "m.room.member", alice.UserId));
        Assert.True(HasState(dmRoom, "m.room.member", bob.UserId));
        Assert.True(HasState(dmRoom, "m.room.create"));
        Assert.True(HasState(Room(first, encrypted), "m.room.encryption"));
        Assert.False(HasState(Room(first, named), "m.room.encryption"));
        Assert.Equal("Team", Room(first, named).GetProperty("name").GetString());
        Assert.False(Room(first, named).TryGetProperty("heroes", out _));
        // /messages continues from prev_batch with the events before the timeline.
        var before = await (await a.GetAsync($"/_matrix/client/v3/rooms/{dm}/messages?dir=b&limit=5&from={dmRoom.GetProperty("prev_batch").GetString()}")).AssertOkAsync();
        Assert.DoesNotContain(before.GetProperty("chunk").EnumerateArray(), e => e.GetProperty("content").TryGetProperty("body", out var body) && body.GetString() == "hello alice");
        Assert.NotEmpty(before.GetProperty("chunk").EnumerateArray());
        Assert.True(dmRoom.GetProperty("bump_stamp").GetInt64() > Room(first, named).GetProperty("bump_stamp").GetInt64());
        // The push rules, which Element X computes its unread badges with, come with the account data.
        var global = first.GetProperty("extensions").GetProperty("account_data").GetProperty("global").EnumerateArray();
        Assert.Contains(global, e => e.GetProperty("type").GetString() == "m.push_rules");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomList_WindowsSortByActivity_AndCountStaysRightAsRangesGrow(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var rooms = new List<string>();
        for (var i = 0; i < 4; i++)
            rooms.Add(await a.CreateRoomAsync());
        await a.SendTextAsync(rooms[1], "newest");

        var small = await SyncAsync(a, RoomList(end: 0));
        Assert.Equal(4, Count(small, "all_rooms"));
        Assert.Equal([rooms[1]], RoomIds(small));
        var grown = await SyncAsync(a, RoomList(end: 99), Pos(small));
        Assert.Equal(4, Count(grown, "all_rooms"));
        // The room already sent is not sent again; the others come in full.
        Assert.Equal(rooms.Where(r => r != rooms[1]).Order(), RoomIds(grown).Order());
        Assert.All(RoomIds(grown), r => Assert.True(Room(grown, r).GetProperty("initial").GetBoolean()));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LongPoll_WakesOnAMessage_AndSendsOnlyWhatIsNew(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await a.SendTextAsync(roomId, "before");
        var first = await SyncAsync(b, RoomList());

        var watch = Stopwatch.StartNew();
        var poll = SyncAsync(b, RoomList(), Pos(first), timeout: 20_000);
        await Task.Delay(300);
        await a.SendTextAsync(roomId, "live");
        var woken = await poll;
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var room = Room(woken, roomId);
        Assert.False(room.TryGetProperty("initial", out _));
        Assert.Equal(["live"], Bodies(room));
        Assert.Equal(1, room.GetProperty("num_live").GetInt32());
        Assert.False(room.GetProperty("limited").GetBoolean());
        Assert.Equal(2, room.GetProperty("notification_count").GetInt32());

        // Nothing new: the poll runs to its timeout and answers without rooms.
        var quiet = await SyncAsync(b, RoomList(), Pos(woken), timeout: 500);
        Assert.Empty(RoomIds(quiet));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RetriedPosition_GetsTheSameNews_AndForeignOrUnknownPositionsAreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var first = await SyncAsync(b, RoomList());
        await a.SendTextAsync(roomId, "once");
        var lost = await SyncAsync(b, RoomList(), Pos(first));
        Assert.Equal(["once"], Bodies(Room(lost, roomId)));
        // The client never saw that answer and asks again from where it stood.
        var retried = await SyncAsync(b, RoomList(), Pos(first));
        Assert.Equal(["once"], Bodies(Room(retried, roomId)));
        Assert.False(Room(retried, roomId).TryGetProperty("initial", out _));
        var next = await SyncAsync(b, RoomList(), Pos(retried));
        Assert.Empty(RoomIds(next));

        await (await PostAsync(a, RoomList(), Pos(retried))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN_POS");
        var otherConnection = RoomList();
        otherConnection["conn_id"] = "notifications";
        await (await PostAsync(b, otherConnection, Pos(retried))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN_POS");
        await (await PostAsync(b, RoomList(), "999999999/s1_1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN_POS");
        await (await PostAsync(b, RoomList(), "garbage")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN_POS");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomThatChangedOutsideTheWindow_GetsWhatItMissed_WhenItComesBack(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var quiet = await a.CreateRoomAsync();
        var busy = await a.CreateRoomAsync();
        JsonObject Subscribe(params string[] rooms) => new()
        {
            ["conn_id"] = "subs",
            ["room_subscriptions"] = new JsonObject(rooms.Select(r => KeyValuePair.Create(r, (JsonNode?)new JsonObject { ["timeline_limit"] = 10 }))),
        };
        var both = await SyncAsync(a, Subscribe(quiet, busy));
        var onlyQuiet = await SyncAsync(a, Subscribe(quiet), Pos(both));
        await a.SendTextAsync(busy, "while away 1");
        await a.SendTextAsync(busy, "while away 2");
        var stillQuiet = await SyncAsync(a, Subscribe(quiet), Pos(onlyQuiet));
        Assert.Empty(RoomIds(stillQuiet));
        var back = await SyncAsync(a, Subscribe(quiet, busy), Pos(stillQuiet));
        var room = Room(back, busy);
        Assert.False(room.TryGetProperty("initial", out _));
        Assert.Equal(["while away 1", "while away 2"], Bodies(room));
        Assert.False(room.GetProperty("limited").GetBoolean());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Invite_IsListedWithItsStrippedState_AndTheInviteFilterFindsIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        await b.CreateRoomAsync();
        var body = new JsonObject
        {
            ["conn_id"] = "notifications",
            ["lists"] = new JsonObject
            {
                ["invites"] = new JsonObject { ["ranges"] = new JsonArray(new JsonArray(0, 16)), ["timeline_limit"] = 8, ["filters"] = new JsonObject { ["is_invite"] = true } },
            },
        };
        var none = await SyncAsync(b, body);
        Assert.Equal(0, Count(none, "invites"));
        var roomId = await a.CreateRoomAsync(new { name = "Invitation" });
        await a.InviteAsync(roomId, bob.UserId);
        var invited = await SyncAsync(b, body, Pos(none), timeout: 10_000);
        Assert.Equal(1, Count(invited, "invites"));
        var room = Room(invited, roomId);
        var stripped = room.GetProperty("invite_state").EnumerateArray().ToList();
        Assert.Contains(stripped, e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("state_key").GetString() == bob.UserId);
        Assert.Contains(stripped, e => e.GetProperty("type").GetString() == "m.room.name");
        Assert.False(room.TryGetProperty("timeline", out _));
        Assert.Equal(alice.UserId, stripped.Single(e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("state_key").GetString() == bob.UserId)
            .GetProperty("sender").GetString());
        // The inviter's own membership comes along, so the client can show who invited.
        Assert.Contains(stripped, e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("state_key").GetString() == alice.UserId);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Extensions_CarryReceiptsTypingAccountDataAndToDevice(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var eventId = (await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t1", new { msgtype = "m.text", body = "read me" })).AssertOkAsync())
            .GetProperty("event_id").GetString()!;
        var body = RoomList();
        body["extensions"]!["to_device"] = new JsonObject { ["enabled"] = true };
        body["extensions"]!["e2ee"] = new JsonObject { ["enabled"] = true };
        var first = await SyncAsync(b, body);
        Assert.True(first.GetProperty("extensions").GetProperty("e2ee").TryGetProperty("device_one_time_keys_count", out _));
        var since = first.GetProperty("extensions").GetProperty("to_device").GetProperty("next_batch").GetString();

        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/{Uri.EscapeDataString(eventId)}", new { })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}", new { typing = true, timeout = 30000 })).AssertOkAsync();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(bob.UserId)}/account_data/m.direct", new JsonObject { [alice.UserId] = new JsonArray(roomId) })).AssertOkAsync();
        await (await a.PutAsJsonAsync("/_matrix/client/v3/sendToDevice/m.test/tx1", new JsonObject
        {
            ["messages"] = new JsonObject { [bob.UserId] = new JsonObject { [bob.DeviceId] = new JsonObject { ["n"] = 1 } } },
        })).AssertOkAsync();

        body["extensions"]!["to_device"]!["since"] = since;
        var next = await SyncAsync(b, body, Pos(first));
        var ext = next.GetProperty("extensions");
        var receipt = ext.GetProperty("receipts").GetProperty("rooms").GetProperty(roomId);
        Assert.True(receipt.GetProperty("content").GetProperty(eventId).GetProperty("m.read").TryGetProperty(alice.UserId, out _));
        Assert.Equal([alice.UserId], ext.GetProperty("typing").GetProperty("rooms").GetProperty(roomId).GetProperty("content").GetProperty("user_ids").EnumerateArray().Select(u => u.GetString()));
        Assert.Contains(ext.GetProperty("account_data").GetProperty("global").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.direct");
        var toDevice = ext.GetProperty("to_device");
        Assert.Equal(1, toDevice.GetProperty("events").EnumerateArray().Single().GetProperty("content").GetProperty("n").GetInt32());

        // Typing stops: the stop is sent, then nothing more.
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}", new { typing = false })).AssertOkAsync();
        body["extensions"]!["to_device"]!["since"] = toDevice.GetProperty("next_batch").GetString();
        var stopped = await SyncAsync(b, body, Pos(next));
        Assert.Empty(stopped.GetProperty("extensions").GetProperty("typing").GetProperty("rooms").GetProperty(roomId).GetProperty("content").GetProperty("user_ids").EnumerateArray());
        // The acknowledged message is gone even for a new connection.
        var fresh = await SyncAsync(b, body);
        Assert.Empty(fresh.GetProperty("extensions").GetProperty("to_device").GetProperty("events").EnumerateArray());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task MalformedRequests_AreMatrixErrors(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        await (await PostAsync(a, new JsonObject { ["lists"] = "all" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        var tooLong = RoomList();
        tooLong["lists"]!["all_rooms"]!["timeline_limit"] = 5000;
        await (await PostAsync(a, tooLong)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        var badRange = RoomList();
        badRange["lists"]!["all_rooms"]!["ranges"] = new JsonArray(new JsonArray(5, 1));
        await (await PostAsync(a, badRange)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PostAsync(SyncPath, new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
        await (await hs.Client.PostAsJsonAsync(SyncPath, new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }
}
