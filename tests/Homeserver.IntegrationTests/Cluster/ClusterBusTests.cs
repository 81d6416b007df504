using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>
/// Two nodes of one homeserver on one PostgreSQL database and one Redis: what a client does through one node reaches
/// clients syncing on the other at once, and a token works, or stops working, on both.
/// </summary>
public sealed class ClusterBusTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);

    private static List<string> Bodies(JsonElement sync, string roomId) =>
        TryRoom(sync, "join", roomId, out var room)
            ? [.. Events(room, "timeline").Where(e => Type(e) == "m.room.message").Select(e => e.GetProperty("content").GetProperty("body").GetString()!)]
            : [];

    private static string[]? Typists(JsonElement sync, string roomId)
    {
        if (!TryRoom(sync, "join", roomId, out var room))
            return null;
        var typing = Events(room, "ephemeral").FirstOrDefault(e => Type(e) == "m.typing");
        return typing.ValueKind == JsonValueKind.Undefined ? null
            : [.. typing.GetProperty("content").GetProperty("user_ids").EnumerateArray().Select(u => u.GetString()!)];
    }

    /// <summary>Alice on node 0 and Bob on node 1 in one public room, and Bob's sync token taken on node 1.</summary>
    private static async Task<(TestUser Alice, TestUser Bob, HttpClient A, HttpClient B, string RoomId, string Since)> AliceAndBobAsync(TestCluster cluster)
    {
        var alice = await cluster[0].RegisterAsync();
        var bob = await cluster[1].RegisterAsync();
        var (a, b) = (cluster[0].ClientFor(alice), cluster[1].ClientFor(bob));
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        return (alice, bob, a, b, roomId, NextBatch(await SyncAsync(b)));
    }

    [Fact]
    public async Task MessageThroughNodeA_WakesALongPollAndAWebSocketOnNodeB()
    {
        await using var cluster = await TestCluster.StartAsync(2, TestRedis.Options());
        var (_, bob, a, b, roomId, since) = await AliceAndBobAsync(cluster);
        using var ws = await ConnectAsync(cluster[1], bob, "&since=" + Uri.EscapeDataString(since));

        var poll = SyncAsync(b, since, timeout: 20000);
        await Task.Delay(300);
        var watch = Stopwatch.StartNew();
        await a.SendTextAsync(roomId, "across nodes");

        var woken = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed < Prompt, $"the long poll on node B answered after {watch.Elapsed}");
        Assert.Equal(["across nodes"], Bodies(woken, roomId));
        JsonElement? frame;
        do
            frame = await ReceiveAsync(ws, TimeSpan.FromSeconds(10));
        while (frame is { } f && Bodies(f, roomId).Count == 0);
        Assert.True(watch.Elapsed < Prompt, $"the WebSocket on node B received it after {watch.Elapsed}");
        Assert.Equal(["across nodes"], Bodies(frame ?? throw new Xunit.Sdk.XunitException("the WebSocket closed"), roomId));
    }

    [Fact]
    public async Task SyncToken_FromNodeA_ResumesOnNodeB_MissingAndRepeatingNothing()
    {
        await using var cluster = await TestCluster.StartAsync(2, TestRedis.Options());
        var (alice, _, a, _, roomId, _) = await AliceAndBobAsync(cluster);
        await a.SendTextAsync(roomId, "one");
        var onA = await SyncAsync(a);
        var aliceOnB = cluster[1].ClientFor(alice);
        await aliceOnB.SendTextAsync(roomId, "two");

        var onB = await SyncAsync(aliceOnB, NextBatch(onA), timeout: 10000);
        Assert.Equal(["two"], Bodies(onB, roomId));
        var backOnA = await SyncAsync(a, NextBatch(onB), timeout: 0);
        Assert.Empty(Bodies(backOnA, roomId));
    }

    [Fact]
    public async Task TypingThroughNodeA_IsSeenOnNodeB_AndItsEndToo()
    {
        await using var cluster = await TestCluster.StartAsync(2, TestRedis.Options());
        var (alice, bob, a, b, roomId, since) = await AliceAndBobAsync(cluster);
        var typingPath = $"/_matrix/client/v3/rooms/{roomId}/typing/";

        var poll = SyncAsync(b, since, timeout: 20000);
        await Task.Delay(300);
        var watch = Stopwatch.StartNew();
        await (await a.PutAsJsonAsync(typingPath + Uri.EscapeDataString(alice.UserId), new { typing = true, timeout = 30000 })).AssertOkAsync();
        var started = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed < Prompt, $"typing reached node B after {watch.Elapsed}");
        Assert.Equal([alice.UserId], Typists(started, roomId) ?? []);

        // Bob types through his own node: each node shows both.
        await (await b.PutAsJsonAsync(typingPath + Uri.EscapeDataString(bob.UserId), new { typing = true, timeout = 30000 })).AssertOkAsync();
        string[] onA = [];
        for (var i = 0; i < 30 && onA.Length < 2; i++, await Task.Delay(100))
            onA = [.. (Typists(await SyncAsync(a), roomId) ?? []).Order(StringComparer.Ordinal)];
        Assert.Equal([.. new[] { alice.UserId, bob.UserId }.Order(StringComparer.Ordinal)], onA);

        var stopped = SyncAsync(b, NextBatch(await SyncAsync(b, NextBatch(started), timeout: 0)), timeout: 20000);
        await Task.Delay(300);
        await (await a.PutAsJsonAsync(typingPath + Uri.EscapeDataString(alice.UserId), new { typing = false })).AssertOkAsync();
        Assert.Equal([bob.UserId], Typists(await stopped.WaitAsync(TimeSpan.FromSeconds(10)), roomId) ?? []);
    }

    [Fact]
    public async Task LogoutThroughNodeA_IsRefusedAtOnceOnNodeB_AndEndsALongPollThere()
    {
        await using var cluster = await TestCluster.StartAsync(2, TestRedis.Options());
        var user = await cluster[0].RegisterAsync();
        var onA = cluster[0].ClientFor(user);
        var onB = cluster[1].ClientFor(user);
        // Node B has checked the token once, so it holds the session as live in its cache.
        await (await onB.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        var since = NextBatch(await SyncAsync(onB));
        var poll = onB.GetAsync(SyncPath(since, timeout: 20000));
        await Task.Delay(300);

        await (await onA.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertOkAsync();

        // "At once" is the hop through Redis: a few milliseconds, not the cache's ten minutes.
        var watch = Stopwatch.StartNew();
        HttpResponseMessage refused;
        while ((refused = await onB.GetAsync("/_matrix/client/v3/account/whoami")).IsSuccessStatusCode && watch.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(10);
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(500), $"node B still took the token {watch.Elapsed} after the logout");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("M_UNKNOWN_TOKEN", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errcode").GetString());
        var ended = await poll.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.Unauthorized, ended.StatusCode);
    }

    /// <summary>
    /// Reads what the setup itself still writes (bob's presence going online, on a busy machine after his first sync
    /// answered) until a poll waits its whole timeout, so that a later poll is woken only by what the test sends.
    /// </summary>
    private static async Task<string> SettledAsync(HttpClient c, string since)
    {
        for (var round = 0; round < 10; round++)
        {
            var watch = Stopwatch.StartNew();
            var body = await SyncAsync(c, since, timeout: 1000);
            if (watch.Elapsed >= TimeSpan.FromMilliseconds(900))
                return since;
            since = NextBatch(body);
        }
        Assert.Fail("the setup's writes did not settle");
        return since;
    }

    [Fact]
    public async Task RedisKilledAndRestarted_NodesKeepServing_AndASyncThatMissedItsWakeUpSeesTheMessage()
    {
        await using var redis = await TestRedis.StartOwnAsync();
        await using var cluster = await TestCluster.StartAsync(2, TestRedis.Options(redis.Address));
        var (_, _, a, b, roomId, since) = await AliceAndBobAsync(cluster);
        since = await SettledAsync(b, since);

        await redis.KillAsync();
        var poll = SyncAsync(b, since, timeout: 30000);
        // Sent while Redis is down: node A answers, and node B cannot hear of it.
        await a.SendTextAsync(roomId, "while redis was down");
        await Task.Delay(500);
        Assert.False(poll.IsCompleted);

        await redis.StartAsync();
        var caughtUp = await poll.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(["while redis was down"], Bodies(caughtUp, roomId));

        // And the bus carries wake-ups again.
        var next = SyncAsync(b, NextBatch(caughtUp), timeout: 20000);
        await Task.Delay(300);
        var watch = Stopwatch.StartNew();
        await a.SendTextAsync(roomId, "after the restart");
        Assert.Equal(["after the restart"], Bodies(await next.WaitAsync(TimeSpan.FromSeconds(10)), roomId));
        Assert.True(watch.Elapsed < Prompt, $"woken after {watch.Elapsed}");
    }
}
