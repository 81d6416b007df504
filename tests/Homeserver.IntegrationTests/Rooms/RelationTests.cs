using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary><c>/relations</c>, <c>/threads</c>, <c>/context</c> and the aggregations in <c>unsigned</c>.</summary>
public sealed class RelationTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static async Task<string> SendAsync(HttpClient c, string roomId, string type, object content) =>
        (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/{type}/{Guid.NewGuid():N}", content)).AssertOkAsync()).GetProperty("event_id").GetString()!;

    private static Dictionary<string, object> ThreadReply(string root, string body) => new()
    {
        ["msgtype"] = "m.text",
        ["body"] = body,
        ["m.relates_to"] = new Dictionary<string, object> { ["rel_type"] = "m.thread", ["event_id"] = root },
    };

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Thread_IsListedAndAggregatedOnItsRoot(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var root = await a.SendTextAsync(roomId, "root");
        await SendAsync(b, roomId, "m.room.message", ThreadReply(root, "first reply"));
        var latest = await SendAsync(b, roomId, "m.room.message", ThreadReply(root, "second reply"));
        await a.SendTextAsync(roomId, "unrelated");

        var rel = await (await a.GetAsync($"/_matrix/client/v1/rooms/{roomId}/relations/{Uri.EscapeDataString(root)}/m.thread")).AssertOkAsync();
        Assert.Equal(["second reply", "first reply"], rel.GetProperty("chunk").EnumerateArray().Bodies());

        var ev = await (await a.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(root))).AssertOkAsync();
        var thread = ev.GetProperty("unsigned").GetProperty("m.relations").GetProperty("m.thread");
        Assert.Equal(2, thread.GetProperty("count").GetInt32());
        Assert.Equal(latest, thread.GetProperty("latest_event").GetProperty("event_id").GetString());
        Assert.True(thread.GetProperty("current_user_participated").GetBoolean());

        var threads = await (await b.GetAsync($"/_matrix/client/v1/rooms/{roomId}/threads")).AssertOkAsync();
        Assert.Equal(root, threads.GetProperty("chunk").EnumerateArray().Single().GetProperty("event_id").GetString());
        var mine = await (await b.GetAsync($"/_matrix/client/v1/rooms/{roomId}/threads?include=participated")).AssertOkAsync();
        Assert.Single(mine.GetProperty("chunk").EnumerateArray());
    }

    [Fact]
    public async Task Edits_AndReactions_AreRelations_AndOnlyTheSendersEditAggregates()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        var original = await a.SendTextAsync(roomId, "helo");
        var edit = await SendAsync(a, roomId, "m.room.message", new Dictionary<string, object>
        {
            ["msgtype"] = "m.text", ["body"] = "* hello",
            ["m.new_content"] = new { msgtype = "m.text", body = "hello" },
            ["m.relates_to"] = new { rel_type = "m.replace", event_id = original },
        });
        await SendAsync(b, roomId, "m.room.message", new Dictionary<string, object>
        {
            ["msgtype"] = "m.text", ["body"] = "* hijacked",
            ["m.relates_to"] = new { rel_type = "m.replace", event_id = original },
        });
        await SendAsync(b, roomId, "m.reaction", new Dictionary<string, object>
        {
            ["m.relates_to"] = new { rel_type = "m.annotation", event_id = original, key = "👍" },
        });

        var ev = await (await b.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(original))).AssertOkAsync();
        Assert.Equal(edit, ev.GetProperty("unsigned").GetProperty("m.relations").GetProperty("m.replace").GetProperty("event_id").GetString());
        var reactions = await (await a.GetAsync($"/_matrix/client/v1/rooms/{roomId}/relations/{Uri.EscapeDataString(original)}/m.annotation/m.reaction")).AssertOkAsync();
        Assert.Equal("👍", reactions.GetProperty("chunk")[0].GetProperty("content").GetProperty("m.relates_to").GetProperty("key").GetString());
        var all = await (await a.GetAsync($"/_matrix/client/v1/rooms/{roomId}/relations/{Uri.EscapeDataString(original)}")).AssertOkAsync();
        Assert.Equal(3, all.GetProperty("chunk").GetArrayLength());
    }

    [Fact]
    public async Task Relations_OfAnEventTheUserCannotSee_AreRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var outsider = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var root = await a.SendTextAsync(roomId, "private");
        var res = await outsider.GetAsync($"/_matrix/client/v1/rooms/{roomId}/relations/{Uri.EscapeDataString(root)}");
        Assert.True(res.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{(int)res.StatusCode}");
        var ctx = await outsider.GetRoomAsync(roomId, "context/" + Uri.EscapeDataString(root));
        Assert.True(ctx.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{(int)ctx.StatusCode}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Context_ReturnsEventsAroundWithTokensAndState(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { name = "ctx" });
        var ids = new List<string>();
        for (var i = 0; i < 9; i++)
            ids.Add(await a.SendTextAsync(roomId, "c" + i));
        var ctx = await (await a.GetRoomAsync(roomId, $"context/{Uri.EscapeDataString(ids[4])}?limit=4")).AssertOkAsync();
        Assert.Equal("c4", ctx.GetProperty("event").GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(["c3", "c2"], ctx.GetProperty("events_before").EnumerateArray().Bodies());
        Assert.Equal(["c5", "c6"], ctx.GetProperty("events_after").EnumerateArray().Bodies());
        Assert.Contains(ctx.GetProperty("state").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.name");
        var older = await (await a.GetRoomAsync(roomId, "messages?dir=b&limit=2&from=" + ctx.GetProperty("start").GetString())).AssertOkAsync();
        Assert.Equal(["c1", "c0"], older.GetProperty("chunk").EnumerateArray().Bodies());
        var newer = await (await a.GetRoomAsync(roomId, "messages?dir=f&limit=2&from=" + ctx.GetProperty("end").GetString())).AssertOkAsync();
        Assert.Equal(["c7", "c8"], newer.GetProperty("chunk").EnumerateArray().Bodies());
    }

    [Fact]
    public async Task RedactingAThreadReply_RemovesItFromTheThread()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var root = await a.SendTextAsync(roomId, "root");
        var reply = await SendAsync(a, roomId, "m.room.message", ThreadReply(root, "reply"));
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/redact/{Uri.EscapeDataString(reply)}/r", new { })).AssertOkAsync();
        var rel = await (await a.GetAsync($"/_matrix/client/v1/rooms/{roomId}/relations/{Uri.EscapeDataString(root)}")).AssertOkAsync();
        Assert.Equal(0, rel.GetProperty("chunk").GetArrayLength());
        var ev = await (await a.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(root))).AssertOkAsync();
        Assert.False(ev.GetProperty("unsigned").TryGetProperty("m.relations", out _));
    }
}
