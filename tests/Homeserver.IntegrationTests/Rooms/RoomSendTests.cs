using System.Net;
using System.Net.Http.Json;
using System.Text;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

public sealed class RoomSendTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Send_SameTxnId_ReturnsTheSameEvent_EvenConcurrently(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var ids = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => a.SendTextAsync(roomId, "once", "txn-1")));
        Assert.Single(ids.Distinct());
        Assert.Equal(ids[0], await a.SendTextAsync(roomId, "once", "txn-1"));
        Assert.Single((await a.MessagesAsync(roomId)).Bodies(), "once");

        // The same txnId from another device is another message.
        var other = await hs.LoginAsync(alice);
        using var a2 = hs.ClientFor(other);
        Assert.NotEqual(ids[0], await a2.SendTextAsync(roomId, "once", "txn-1"));
    }

    [Theory]
    [InlineData("{\"body\": 1.5}")]
    [InlineData("{\"body\": 9007199254740992}")]
    [InlineData("{\"body\": -9007199254740992}")]
    [InlineData("{\"n\": 1e3}")]
    public async Task Send_NonCanonicalNumbers_AreBadJson(string json)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var res = await a.PutAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t1", new StringContent(json, Encoding.UTF8, "application/json"));
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }

    [Fact]
    public async Task Send_EventOverSizeLimit_IsTooLarge_AndJustUnderIsAccepted()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var big = await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/big", new { body = new string('x', 65_536) });
        await big.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "M_TOO_LARGE");
        await a.SendTextAsync(roomId, new string('y', 60_000));
    }

    [Fact]
    public async Task Send_TypeOver255Bytes_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var type = new string('é', 128);
        var res = await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/{Uri.EscapeDataString(type)}/t", new { });
        Assert.True(res.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{(int)res.StatusCode}");
    }

    [Fact]
    public async Task Redact_PrunesContent_AndNeedsPowerForOthersEvents()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        var bobs = await b.SendTextAsync(roomId, "oops");
        var alices = await a.SendTextAsync(roomId, "mine");

        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/redact/{Uri.EscapeDataString(alices)}/r1", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/redact/{Uri.EscapeDataString(bobs)}/r2", new { reason = "spam" })).AssertOkAsync();
        var ev = await (await b.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(bobs))).AssertOkAsync();
        Assert.False(ev.GetProperty("content").TryGetProperty("body", out _));
        var because = ev.GetProperty("unsigned").GetProperty("redacted_because");
        Assert.Equal("m.room.redaction", because.GetProperty("type").GetString());
        Assert.Equal("spam", because.GetProperty("content").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task StatePut_ThenGet_RoundTrips_AndNeedsPower()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.topic/", new { topic = "new topic" })).AssertOkAsync();
        Assert.Equal("new topic", (await (await b.GetRoomAsync(roomId, "state/m.room.topic/")).AssertOkAsync()).GetProperty("topic").GetString());
        var denied = await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.name/", new { name = "hijack" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.False(string.IsNullOrEmpty(denied.GetProperty("error").GetString()));
        await (await b.GetRoomAsync(roomId, "state/m.room.name/")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Fact]
    public async Task Messages_PaginatesBothWaysWithTokens()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        for (var i = 0; i < 7; i++)
            await a.SendTextAsync(roomId, "m" + i);
        var first = await (await a.GetRoomAsync(roomId, "messages?dir=b&limit=3")).AssertOkAsync();
        Assert.Equal(["m6", "m5", "m4"], first.GetProperty("chunk").EnumerateArray().Bodies());
        var next = await (await a.GetRoomAsync(roomId, "messages?dir=b&limit=3&from=" + first.GetProperty("end").GetString())).AssertOkAsync();
        Assert.Equal(["m3", "m2", "m1"], next.GetProperty("chunk").EnumerateArray().Bodies());
        var forward = await (await a.GetRoomAsync(roomId, "messages?dir=f&limit=100&from=" + next.GetProperty("end").GetString())).AssertOkAsync();
        // Tokens are exclusive positions: going forward from where the backward page ended starts after m1.
        Assert.Equal(["m2", "m3", "m4", "m5", "m6"], forward.GetProperty("chunk").EnumerateArray().Bodies());
        await (await a.GetRoomAsync(roomId, "messages?dir=x")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetRoomAsync(roomId, "messages?from=garbage")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetRoomAsync(roomId, "messages?limit=-5")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Messages_TakeASyncToken_AndOmitEndOnlyPastTheStartOfTheRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "before 1");
        await a.SendTextAsync(roomId, "before 2");
        var nextBatch = (await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync()).GetProperty("next_batch").GetString()!;
        await a.SendTextAsync(roomId, "after");

        // A /sync token stands after the events that sync saw: backwards from it starts with the last of them.
        var back = await (await a.GetRoomAsync(roomId, "messages?dir=b&limit=2&from=" + nextBatch)).AssertOkAsync();
        Assert.Equal(["before 2", "before 1"], back.GetProperty("chunk").EnumerateArray().Bodies());
        var forward = await (await a.GetRoomAsync(roomId, "messages?dir=f&from=" + nextBatch)).AssertOkAsync();
        Assert.Equal(["after"], forward.GetProperty("chunk").EnumerateArray().Bodies());

        // A page shorter than the limit that reaches the room's creation still has an end; the page past it has none.
        var all = await (await a.GetRoomAsync(roomId, "messages?dir=b&limit=100")).AssertOkAsync();
        Assert.Equal("m.room.create", all.GetProperty("chunk").EnumerateArray().Last().GetProperty("type").GetString());
        var past = await (await a.GetRoomAsync(roomId, "messages?dir=b&limit=100&from=" + all.GetProperty("end").GetString())).AssertOkAsync();
        Assert.Empty(past.GetProperty("chunk").EnumerateArray());
        Assert.False(past.TryGetProperty("end", out _));

        await (await a.GetRoomAsync(roomId, "messages?from=s5_x_1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Fact]
    public async Task Rooms_SurviveARestart()
    {
        var dataDir = Directory.CreateTempSubdirectory("hs-rooms-").FullName;
        TestUser alice;
        string roomId;
        await using (var hs = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir))
        {
            alice = await hs.RegisterAsync();
            using var a = hs.ClientFor(alice);
            roomId = await a.CreateRoomAsync(new { name = "durable" });
            await a.SendTextAsync(roomId, "still here", "t-durable");
        }
        await using var again = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir);
        using var c = again.ClientFor(alice);
        Assert.Contains("still here", (await c.MessagesAsync(roomId)).Bodies());
        await c.SendTextAsync(roomId, "still here", "t-durable");
        Assert.Single((await c.MessagesAsync(roomId)).Bodies(), "still here");
    }
}
