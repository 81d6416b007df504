using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>
/// The endpoints deprecated in r0 that bots and older clients still use: /initialSync, a room's /initialSync, the
/// /events stream (following it loses nothing, its tokens are sync tokens), /events/{eventId}, and sending
/// without a transaction ID.
/// </summary>
public sealed class LegacyEndpointsTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InitialSync_ThenEvents_SeeTheRoomAndWhatCameAfter_AndTheTokenServesSync(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await a.SendTextAsync(roomId, "before");
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.topic", new { topic = "legacy" })).AssertOkAsync();

        var initial = await (await b.GetAsync("/_matrix/client/r0/initialSync?limit=5")).AssertOkAsync();
        var room = initial.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room_id").GetString() == roomId);
        Assert.Equal("join", room.GetProperty("membership").GetString());
        var listed = await (await b.GetAsync($"/_matrix/client/v3/directory/list/room/{roomId}")).AssertOkAsync();
        Assert.Equal(listed.GetProperty("visibility").GetString(), room.GetProperty("visibility").GetString());
        Assert.Contains("before", Bodies(room.GetProperty("messages").GetProperty("chunk")));
        Assert.Contains(room.GetProperty("state").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.topic");
        var end = initial.GetProperty("end").GetString()!;

        var sent = await a.SendTextAsync(roomId, "after");
        var events = await (await b.GetAsync($"/_matrix/client/r0/events?from={Uri.EscapeDataString(end)}&timeout=5000")).AssertOkAsync();
        var chunk = events.GetProperty("chunk").EnumerateArray().ToList();
        var message = Assert.Single(chunk, e => e.GetProperty("type").GetString() == "m.room.message");
        Assert.Equal(sent, message.GetProperty("event_id").GetString());
        Assert.Equal(roomId, message.GetProperty("room_id").GetString());
        Assert.DoesNotContain(chunk, e => e.TryGetProperty("content", out var c) && c.TryGetProperty("body", out var body) && body.GetString() == "before");
        Assert.Equal(end, events.GetProperty("start").GetString());

        // The stream's token is a sync token: /sync from it has only what came after.
        var sync = await (await b.GetAsync($"/_matrix/client/v3/sync?since={Uri.EscapeDataString(end)}")).AssertOkAsync();
        var timeline = sync.GetProperty("rooms").GetProperty("join").GetProperty(roomId).GetProperty("timeline").GetProperty("events");
        Assert.Equal(["after"], Bodies(timeline));
    }

    [Fact]
    public async Task InitialSyncs_SpeakTheLegacyFormat_ListPresence_AndALimitOf0GivesTokensWithoutMessages()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(alice.UserId)}/status",
            new { presence = "online", status_msg = "on the bridge" })).AssertOkAsync();
        await a.SendTextAsync(roomId, "hello");
        var (loner, lonerClient) = await hs.RegisterClientAsync();

        var global = await (await b.GetAsync("/_matrix/client/v3/initialSync?limit=0")).AssertOkAsync();
        var room = global.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room_id").GetString() == roomId);
        Assert.Empty(room.GetProperty("messages").GetProperty("chunk").EnumerateArray());
        Assert.Equal(room.GetProperty("messages").GetProperty("start").GetString(), room.GetProperty("messages").GetProperty("end").GetString());
        // Every event repeats its sender as user_id; presence content names its user.
        Assert.All(room.GetProperty("state").EnumerateArray(), e => Assert.Equal(e.GetProperty("sender").GetString(), e.GetProperty("user_id").GetString()));
        var presence = global.GetProperty("presence").EnumerateArray().ToList();
        var alices = Assert.Single(presence, p => p.GetProperty("content").GetProperty("user_id").GetString() == alice.UserId);
        Assert.Equal("m.presence", alices.GetProperty("type").GetString());
        Assert.Equal("online", alices.GetProperty("content").GetProperty("presence").GetString());
        Assert.Equal("on the bridge", alices.GetProperty("content").GetProperty("status_msg").GetString());
        Assert.Contains(presence, p => p.GetProperty("content").GetProperty("user_id").GetString() == bob.UserId);
        // Someone sharing no room with bob is not listed; a new account sees its own presence, offline.
        Assert.DoesNotContain(presence, p => p.GetProperty("content").GetProperty("user_id").GetString() == loner.UserId);
        var own = Assert.Single((await (await lonerClient.GetAsync("/_matrix/client/v3/initialSync")).AssertOkAsync()).GetProperty("presence").EnumerateArray());
        Assert.Equal(loner.UserId, own.GetProperty("content").GetProperty("user_id").GetString());
        Assert.Equal("offline", own.GetProperty("content").GetProperty("presence").GetString());
        Assert.True(own.GetProperty("content").GetProperty("last_active_ago").GetInt64() >= 0);

        // A member who never synced is listed too, offline, as Synapse lists every member.
        var (carol, c) = await hs.RegisterClientAsync();
        await (await c.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}", null)).AssertOkAsync();
        var roomSync = await (await b.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/initialSync")).AssertOkAsync();
        var message = Assert.Single(roomSync.GetProperty("messages").GetProperty("chunk").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.message");
        Assert.Equal(alice.UserId, message.GetProperty("user_id").GetString());
        var members = roomSync.GetProperty("presence").EnumerateArray().ToList();
        Assert.Equal(new[] { alice.UserId, bob.UserId, carol.UserId }.Order(), members.Select(p => p.GetProperty("content").GetProperty("user_id").GetString()).Order());
        Assert.Equal("offline", members.Single(p => p.GetProperty("content").GetProperty("user_id").GetString() == carol.UserId)
            .GetProperty("content").GetProperty("presence").GetString());
        var empty = await (await b.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/initialSync?limit=0")).AssertOkAsync();
        Assert.Empty(empty.GetProperty("messages").GetProperty("chunk").EnumerateArray());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Events_PagedWithASmallLimit_DeliversEveryMessageOnceInOrder(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var from = (await (await a.GetAsync("/_matrix/client/v3/events?timeout=0")).AssertOkAsync()).GetProperty("end").GetString()!;
        var sent = new List<string>();
        for (var i = 0; i < 20; i++)
            sent.Add(await a.SendTextAsync(roomId, $"m{i}"));

        var seen = new List<string>();
        for (var round = 0; round < 10 && seen.Count < sent.Count; round++)
        {
            var page = await (await a.GetAsync($"/_matrix/client/v3/events?from={Uri.EscapeDataString(from)}&limit=5&timeout=0")).AssertOkAsync();
            var messages = page.GetProperty("chunk").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "m.room.message").ToList();
            Assert.True(messages.Count <= 5);
            seen.AddRange(messages.Select(e => e.GetProperty("event_id").GetString()!));
            from = page.GetProperty("end").GetString()!;
        }
        Assert.Equal(sent, seen);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Events_LongPoll_IsWokenByAMessage_AndCarriesTypingAndAccountData(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var from = (await (await b.GetAsync("/_matrix/client/v3/events?timeout=0")).AssertOkAsync()).GetProperty("end").GetString()!;

        var poll = b.GetAsync($"/_matrix/client/v3/events?from={Uri.EscapeDataString(from)}&timeout=60000");
        var sent = await a.SendTextAsync(roomId, "wake up");
        var woken = await (await poll.WaitAsync(TimeSpan.FromSeconds(30))).AssertOkAsync();
        Assert.Contains(woken.GetProperty("chunk").EnumerateArray(), e => e.GetProperty("event_id").GetString() == sent);

        from = woken.GetProperty("end").GetString()!;
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{alice.UserId}", new { typing = true, timeout = 30000 })).AssertOkAsync();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/user/{bob.UserId}/rooms/{roomId}/tags/u.work", new { order = 0.5 })).AssertOkAsync();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/user/{bob.UserId}/account_data/my.global", new { x = 1 })).AssertOkAsync();
        var later = await (await b.GetAsync($"/_matrix/client/v3/events?from={Uri.EscapeDataString(from)}&timeout=0")).AssertOkAsync();
        var chunk = later.GetProperty("chunk").EnumerateArray().ToList();
        var typing = Assert.Single(chunk, e => e.GetProperty("type").GetString() == "m.typing");
        Assert.Equal(roomId, typing.GetProperty("room_id").GetString());
        Assert.Equal([alice.UserId], typing.GetProperty("content").GetProperty("user_ids").EnumerateArray().Select(u => u.GetString()));
        var tag = Assert.Single(chunk, e => e.GetProperty("type").GetString() == "m.tag");
        Assert.Equal(roomId, tag.GetProperty("room_id").GetString());
        Assert.True(tag.GetProperty("content").GetProperty("tags").TryGetProperty("u.work", out _));
        Assert.Contains(chunk, e => e.GetProperty("type").GetString() == "my.global" && !e.TryGetProperty("room_id", out _));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DepartedRoom_ShowsOnlyWhatItHeldWhenTheUserLeft(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await a.SendTextAsync(roomId, "while there");
        await b.LeaveAsync(roomId);
        await a.SendTextAsync(roomId, "after leaving");
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.topic", new { topic = "after leaving" })).AssertOkAsync();

        var withoutArchived = await (await b.GetAsync("/_matrix/client/v3/initialSync")).AssertOkAsync();
        Assert.DoesNotContain(withoutArchived.GetProperty("rooms").EnumerateArray(), r => r.GetProperty("room_id").GetString() == roomId);

        var archived = await (await b.GetAsync("/_matrix/client/v3/initialSync?archived=true&limit=3")).AssertOkAsync();
        var fromGlobal = archived.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room_id").GetString() == roomId);
        var fromRoom = await (await b.GetAsync($"/_matrix/client/v3/rooms/{roomId}/initialSync?limit=3")).AssertOkAsync();
        foreach (var room in new[] { fromGlobal, fromRoom })
        {
            Assert.Equal("leave", room.GetProperty("membership").GetString());
            var bodies = Bodies(room.GetProperty("messages").GetProperty("chunk"));
            Assert.Contains("while there", bodies);
            Assert.DoesNotContain("after leaving", bodies);
            Assert.DoesNotContain(room.GetProperty("state").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.topic");
        }
        // /messages with no token pages back from the leave too, so its first page is not empty.
        var page = await b.MessagesAsync(roomId, "dir=b&limit=2");
        Assert.Equal("m.room.member", page[0].GetProperty("type").GetString());
        Assert.Equal("while there", page[1].GetProperty("content").GetProperty("body").GetString());
        // So does a token from after the leave, as a sync's next_batch is: it is clamped to the leave.
        var nextBatch = (await (await b.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync()).GetProperty("next_batch").GetString()!;
        var fromLater = await b.MessagesAsync(roomId, $"dir=b&limit=2&from={Uri.EscapeDataString(nextBatch)}");
        Assert.Equal(page.Select(e => e.GetProperty("event_id").GetString()), fromLater.Select(e => e.GetProperty("event_id").GetString()));
        // Nor does the departed see the room's members' presence.
        Assert.Empty(fromRoom.GetProperty("presence").EnumerateArray());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NonMembers_PeekOnlyIntoWorldReadableRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, owner) = await hs.RegisterClientAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var open = await owner.CreateRoomAsync(new { preset = "public_chat", initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "world_readable" } } } });
        var shared = await owner.CreateRoomAsync(new { preset = "public_chat" });
        var from = (await (await stranger.GetAsync("/_matrix/client/v3/events?timeout=0")).AssertOkAsync()).GetProperty("end").GetString()!;
        var visible = await owner.SendTextAsync(open, "for everyone");
        await owner.SendTextAsync(shared, "members only");

        var peek = await (await stranger.GetAsync($"/_matrix/client/v3/events?room_id={Uri.EscapeDataString(open)}&from={Uri.EscapeDataString(from)}&timeout=5000")).AssertOkAsync();
        Assert.Contains(peek.GetProperty("chunk").EnumerateArray(), e => e.GetProperty("event_id").GetString() == visible);
        var roomSync = await (await stranger.GetAsync($"/_matrix/client/v3/rooms/{open}/initialSync")).AssertOkAsync();
        Assert.Contains("for everyone", Bodies(roomSync.GetProperty("messages").GetProperty("chunk")));
        // A peeking client goes on from the room snapshot's pagination token, as Synapse's one token format allows.
        var after = roomSync.GetProperty("messages").GetProperty("end").GetString()!;
        var later = await owner.SendTextAsync(open, "after the snapshot");
        var next = await (await stranger.GetAsync($"/_matrix/client/v3/events?room_id={Uri.EscapeDataString(open)}&from={Uri.EscapeDataString(after)}&timeout=5000")).AssertOkAsync();
        Assert.Equal([later], next.GetProperty("chunk").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "m.room.message").Select(e => e.GetProperty("event_id").GetString()));

        await (await stranger.GetAsync($"/_matrix/client/v3/events?room_id={Uri.EscapeDataString(shared)}&timeout=0")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await stranger.GetAsync($"/_matrix/client/v3/rooms/{shared}/initialSync")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // Without room_id the stream shows only the user's own rooms, world-readable or not.
        var own = await (await stranger.GetAsync($"/_matrix/client/v3/events?from={Uri.EscapeDataString(from)}&timeout=0")).AssertOkAsync();
        Assert.DoesNotContain(own.GetProperty("chunk").EnumerateArray(), e => e.TryGetProperty("room_id", out var r) && (r.GetString() == open || r.GetString() == shared));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventById_IsServedOnlyToWhoMaySeeIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var id = await a.SendTextAsync(roomId, "by id");

        var e = await (await b.GetAsync($"/_matrix/client/v3/events/{Uri.EscapeDataString(id)}")).AssertOkAsync();
        Assert.Equal("by id", e.GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(roomId, e.GetProperty("room_id").GetString());
        var refused = await stranger.GetAsync($"/_matrix/client/v3/events/{Uri.EscapeDataString(id)}");
        Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, refused.StatusCode.ToString());
        await (await b.GetAsync($"/_matrix/client/v3/events/{Uri.EscapeDataString("$nothing:here")}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SendWithoutTransactionId_SendsEachTime_AndOnlyMembersMay(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, _, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var body = new { msgtype = "m.text", body = "no txn" };

        var first = (await (await a.PostAsJsonAsync($"/_matrix/client/r0/rooms/{roomId}/send/m.room.message", body)).AssertOkAsync()).GetProperty("event_id").GetString();
        var second = (await (await a.PostAsJsonAsync($"/_matrix/client/r0/rooms/{roomId}/send/m.room.message", body)).AssertOkAsync()).GetProperty("event_id").GetString();
        Assert.NotEqual(first, second);
        Assert.Equal(2, (await a.MessagesAsync(roomId)).Bodies().Count(x => x == "no txn"));
        await (await stranger.PostAsJsonAsync($"/_matrix/client/r0/rooms/{roomId}/send/m.room.message", body)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RedactWithoutTransactionId_RedactsTheEvent_AndOnlyMembersMay(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, _, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var target = await a.SendTextAsync(roomId, "to be redacted");
        var path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/redact/{Uri.EscapeDataString(target)}";

        await (await stranger.PostAsJsonAsync(path, new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var redaction = (await (await a.PostAsJsonAsync(path, new { reason = "no txn" })).AssertOkAsync()).GetProperty("event_id").GetString();

        var redacted = await (await a.GetRoomAsync(roomId, $"event/{Uri.EscapeDataString(target)}")).AssertOkAsync();
        Assert.False(redacted.GetProperty("content").TryGetProperty("body", out _));
        var redactionEvent = await (await a.GetRoomAsync(roomId, $"event/{Uri.EscapeDataString(redaction!)}")).AssertOkAsync();
        Assert.Equal("m.room.redaction", redactionEvent.GetProperty("type").GetString());
        Assert.Equal("no txn", redactionEvent.GetProperty("content").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Events_WithAMalformedTokenOrTimeout_IsA400()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        await (await a.GetAsync("/_matrix/client/v3/events?from=garbage")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetAsync("/_matrix/client/v3/events?timeout=-5")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetAsync("/_matrix/client/v3/initialSync?limit=lots")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomInitialSync_OfANonMember_ShowsOnlyWhatWasWorldReadable_FromTheChangeOn(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (_, outsider) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "private");
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.history_visibility", new { history_visibility = "world_readable" })).AssertOkAsync();
        await a.SendTextAsync(roomId, "public");

        var snapshot = await (await outsider.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/initialSync")).AssertOkAsync();
        var chunk = snapshot.GetProperty("messages").GetProperty("chunk").EnumerateArray().ToList();
        // The change of visibility is seen under the setting it sets; what came before it stays hidden.
        Assert.Equal(["m.room.history_visibility", "m.room.message"], chunk.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(["public"], Bodies(snapshot.GetProperty("messages").GetProperty("chunk")));
    }

    [Fact]
    public async Task InitialSync_ListsEveryRoomsReceipts_LabelledWithTheRoom()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, _, a, _, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var sent = await a.SendTextAsync(roomId, "read me");
        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/{Uri.EscapeDataString(sent)}", new { })).AssertOkAsync();
        var initial = await (await a.GetAsync("/_matrix/client/v3/initialSync")).AssertOkAsync();
        var receipt = Assert.Single(initial.GetProperty("receipts").EnumerateArray(), r => r.GetProperty("room_id").GetString() == roomId);
        Assert.Equal("m.receipt", receipt.GetProperty("type").GetString());
        Assert.True(receipt.GetProperty("content").GetProperty(sent).GetProperty("m.read").TryGetProperty(alice.UserId, out _));
    }

    private static List<string?> Bodies(JsonElement events) =>
        events.EnumerateArray().Where(e => e.GetProperty("content").TryGetProperty("body", out _))
            .Select(e => e.GetProperty("content").GetProperty("body").GetString()).ToList();
}
