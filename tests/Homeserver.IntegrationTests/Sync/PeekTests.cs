using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>
/// Peeking (MSC2753): <c>POST /peek/{roomIdOrAlias}</c> into a world-readable room, which the peeking device's /sync
/// then shows under <c>rooms.peek</c>; and the /events stream following such a room. Peeking reads, never acts.
/// </summary>
public sealed class PeekTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static async Task<string> WorldReadableRoomAsync(HttpClient owner, object? create = null)
    {
        var roomId = await owner.CreateRoomAsync(create);
        await SetVisibilityAsync(owner, roomId, "world_readable");
        return roomId;
    }

    private static async Task SetVisibilityAsync(HttpClient owner, string roomId, string visibility) =>
        await (await owner.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.history_visibility", new { history_visibility = visibility })).AssertOkAsync();

    private static Task<HttpResponseMessage> PeekAsync(HttpClient c, string roomIdOrAlias) =>
        c.PostAsJsonAsync($"/_matrix/client/v3/peek/{Uri.EscapeDataString(roomIdOrAlias)}", new { });

    private static JsonElement? Peeked(JsonElement sync, string roomId) =>
        sync.TryGetProperty("rooms", out var rooms) && rooms.TryGetProperty("peek", out var peek) && peek.TryGetProperty(roomId, out var room) ? room : null;

    private static List<JsonElement> Timeline(JsonElement room) => room.GetProperty("timeline").GetProperty("events").EnumerateArray().ToList();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Peek_WorldReadableRoom_ShowsItInThatDevicesSyncOnly_FromTheStart_ThenWhatIsNew(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, owner) = await hs.RegisterClientAsync();
        var (peeker, peeking) = await hs.RegisterClientAsync();
        using var otherDevice = hs.ClientFor(await hs.LoginAsync(peeker));
        var roomId = await WorldReadableRoomAsync(owner);
        var before = SyncClient.NextBatch(await SyncClient.SyncAsync(peeking));

        var answer = await (await PeekAsync(peeking, roomId)).AssertOkAsync();
        Assert.Equal(roomId, answer.GetProperty("room_id").GetString());
        await owner.SendTextAsync(roomId, "something to peek");

        var first = await SyncClient.SyncAsync(peeking, before);
        var room = Peeked(first, roomId) ?? throw new Xunit.Sdk.XunitException($"no peeked room in {first}");
        var timeline = Timeline(room);
        Assert.Equal("m.room.create", timeline[0].GetProperty("type").GetString());
        Assert.Equal(["something to peek"], timeline.Bodies());
        Assert.Empty(room.GetProperty("state").GetProperty("events").EnumerateArray());
        Assert.DoesNotContain(roomId, SyncClient.RoomIds(first, "join"));

        // Nothing new: the room is left out; a new message comes alone.
        var next = SyncClient.NextBatch(first);
        Assert.Null(Peeked(await SyncClient.SyncAsync(peeking, next, timeout: 0), roomId));
        await owner.SendTextAsync(roomId, "something else");
        var later = await SyncClient.SyncAsync(peeking, next);
        Assert.Equal(["something else"], Timeline(Peeked(later, roomId)!.Value).Bodies());

        // The user's other device did not peek.
        Assert.Null(Peeked(await SyncClient.SyncAsync(otherDevice), roomId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Peek_IsRefused_UnlessTheRoomIsWorldReadable(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, owner) = await hs.RegisterClientAsync();
        var (_, peeking) = await hs.RegisterClientAsync();
        foreach (var visibility in new[] { "shared", "invited", "joined" })
        {
            var roomId = await owner.CreateRoomAsync(new { preset = "public_chat" });
            await SetVisibilityAsync(owner, roomId, visibility);
            await owner.SendTextAsync(roomId, "secret");
            await (await PeekAsync(peeking, roomId)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
            Assert.Null(Peeked(await SyncClient.SyncAsync(peeking), roomId));
        }
        // A room that does not exist is refused alike, so peeking tells nothing of which rooms exist.
        await (await PeekAsync(peeking, $"!nosuchroom:{TestHomeserver.ServerName}")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await PeekAsync(peeking, "not a room")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Fact]
    public async Task Peek_ByAlias_FollowsTheRoom_ButGivesNoRightToSend()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, owner) = await hs.RegisterClientAsync();
        var (_, peeking) = await hs.RegisterClientAsync();
        var alias = "peek" + Guid.NewGuid().ToString("N")[..8];
        var roomId = await WorldReadableRoomAsync(owner, new { room_alias_name = alias });

        var answer = await (await PeekAsync(peeking, $"#{alias}:{TestHomeserver.ServerName}")).AssertOkAsync();
        Assert.Equal(roomId, answer.GetProperty("room_id").GetString());
        await owner.SendTextAsync(roomId, "by alias");
        Assert.Contains("by alias", Timeline(Peeked(await SyncClient.SyncAsync(peeking), roomId)!.Value).Bodies());

        var send = await peeking.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t1", new { msgtype = "m.text", body = "intruder" });
        await send.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var state = await peeking.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.topic", new { topic = "taken over" });
        await state.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.DoesNotContain("intruder", (await owner.MessagesAsync(roomId)).Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Peek_SeesNothing_OnceTheRoomStopsBeingWorldReadable(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, owner) = await hs.RegisterClientAsync();
        var (_, peeking) = await hs.RegisterClientAsync();
        var roomId = await WorldReadableRoomAsync(owner);
        await (await PeekAsync(peeking, roomId)).AssertOkAsync();
        var since = SyncClient.NextBatch(await SyncClient.SyncAsync(peeking));

        await SetVisibilityAsync(owner, roomId, "shared");
        await owner.SendTextAsync(roomId, "members only");
        var after = await SyncClient.SyncAsync(peeking, since, timeout: 0);
        Assert.Null(Peeked(after, roomId));
        Assert.Null(Peeked(await SyncClient.SyncAsync(peeking), roomId));
        Assert.DoesNotContain("members only", after.GetRawText());
    }

    [Fact]
    public async Task PeekedSync_IsWokenByTheRoomsMessages_AndUnpeekEndsIt()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, owner) = await hs.RegisterClientAsync();
        var (_, peeking) = await hs.RegisterClientAsync();
        var roomId = await WorldReadableRoomAsync(owner);
        await (await PeekAsync(peeking, roomId)).AssertOkAsync();
        var since = SyncClient.NextBatch(await SyncClient.SyncAsync(peeking));

        var poll = peeking.GetAsync(SyncClient.SyncPath(since, timeout: 60000));
        await Task.Delay(200);
        await owner.SendTextAsync(roomId, "wake up");
        var woken = await (await poll.WaitAsync(TimeSpan.FromSeconds(20))).AssertOkAsync();
        Assert.Equal(["wake up"], Timeline(Peeked(woken, roomId)!.Value).Bodies());

        await (await peeking.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/unpeek", new { })).AssertOkAsync();
        await owner.SendTextAsync(roomId, "after unpeek");
        Assert.Null(Peeked(await SyncClient.SyncAsync(peeking, SyncClient.NextBatch(woken), timeout: 0), roomId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventsStream_OfAWorldReadableRoom_WakesANonMember_WithMessagesReceiptsAndTyping(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (owner, o) = await hs.RegisterClientAsync();
        var (_, outsider) = await hs.RegisterClientAsync();
        var roomId = await WorldReadableRoomAsync(o);
        var room = Uri.EscapeDataString(roomId);
        var from = (await (await outsider.GetAsync($"/_matrix/client/v3/events?room_id={room}&timeout=0")).AssertOkAsync()).GetProperty("end").GetString()!;

        var poll = outsider.GetAsync($"/_matrix/client/v3/events?room_id={room}&from={Uri.EscapeDataString(from)}&timeout=60000");
        await Task.Delay(200);
        var sent = await o.SendTextAsync(roomId, "mice");
        var woken = await (await poll.WaitAsync(TimeSpan.FromSeconds(20))).AssertOkAsync();
        Assert.Contains(woken.GetProperty("chunk").EnumerateArray(), e => e.GetProperty("event_id").GetString() == sent);
        from = woken.GetProperty("end").GetString()!;

        poll = outsider.GetAsync($"/_matrix/client/v3/events?room_id={room}&from={Uri.EscapeDataString(from)}&timeout=60000");
        await Task.Delay(200);
        await (await o.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/{Uri.EscapeDataString(sent)}", new { })).AssertOkAsync();
        var receipt = await (await poll.WaitAsync(TimeSpan.FromSeconds(20))).AssertOkAsync();
        var r = Assert.Single(receipt.GetProperty("chunk").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.receipt");
        Assert.Equal(roomId, r.GetProperty("room_id").GetString());
        Assert.True(r.GetProperty("content").GetProperty(sent).GetProperty("m.read").TryGetProperty(owner.UserId, out _));
        from = receipt.GetProperty("end").GetString()!;

        await (await o.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(owner.UserId)}", new { typing = true, timeout = 30000 })).AssertOkAsync();
        var typing = await (await outsider.GetAsync($"/_matrix/client/v3/events?room_id={room}&from={Uri.EscapeDataString(from)}&timeout=20000")).AssertOkAsync();
        var t = Assert.Single(typing.GetProperty("chunk").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.typing");
        Assert.Equal([owner.UserId], t.GetProperty("content").GetProperty("user_ids").EnumerateArray().Select(u => u.GetString()));
    }

    [Fact]
    public async Task EventsStream_OfARoomThatStoppedBeingWorldReadable_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, o) = await hs.RegisterClientAsync();
        var (_, outsider) = await hs.RegisterClientAsync();
        var roomId = await WorldReadableRoomAsync(o);
        await SetVisibilityAsync(o, roomId, "joined");
        await o.SendTextAsync(roomId, "private now");
        var res = await outsider.GetAsync($"/_matrix/client/v3/events?room_id={Uri.EscapeDataString(roomId)}&timeout=0");
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
