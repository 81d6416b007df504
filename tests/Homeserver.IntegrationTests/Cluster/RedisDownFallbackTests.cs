using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>
/// The limits kept in Redis when Redis goes away: each node limits messages and WebSockets on its own, serving
/// meanwhile, and once Redis is back the nodes count together again.
/// </summary>
public sealed class RedisDownFallbackTests
{
    private const int Burst = 2;

    private static Task<HttpResponseMessage> SendAsync(HttpClient c, string roomId) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{Guid.NewGuid():N}", new { msgtype = "m.text", body = "hi" });

    private static bool Connected(TestHomeserver node) => node.Services.GetRequiredService<RedisConnection>().Multiplexer.IsConnected;

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"still not {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>A WebSocket sync that answered, or null when the node refused it with 429.</summary>
    private static async Task<ClientWebSocket?> TryConnectAsync(TestHomeserver node, TestUser user)
    {
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(node.BaseAddress) { Scheme = "ws", Path = SyncUrl, Query = "access_token=" + Uri.EscapeDataString(user.AccessToken) }.Uri;
        try
        {
            await ws.ConnectAsync(uri, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, ws.HttpStatusCode);
            ws.Dispose();
            return null;
        }
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
        return ws;
    }

    private static async Task CloseAsync(ClientWebSocket ws)
    {
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        ws.Dispose();
    }

    [Fact]
    public async Task RedisDown_EachNodeLimitsOnItsOwn_AndOnceBackTheLimitsAreSharedAgain()
    {
        await using var redis = await TestRedis.StartOwnAsync();
        var loose = new RateLimitOptions { PerSecond = 100, BurstCount = 100 };
        await using var cluster = await TestCluster.StartAsync(2, TestRedis.Options(redis.Address), o =>
        {
            o.RateLimits = new RateLimitsOptions
            {
                Enabled = true,
                Message = new RateLimitOptions { PerSecond = 0.01, BurstCount = Burst },
                Registration = loose, Login = loose, LoginFailedAttempts = loose, RoomCreation = loose, Joins = loose, Invites = loose,
            };
            o.Limits.MaxWebsocketsPerAddress = 1;
        });
        var (whileDown, afterwards) = (await cluster[0].RegisterAsync(), await cluster[0].RegisterAsync());
        var roomId = await cluster[0].ClientFor(whileDown).CreateRoomAsync(new { preset = "public_chat" });
        await cluster[0].ClientFor(afterwards).JoinAsync(roomId);

        await redis.KillAsync();
        await UntilAsync(() => Task.FromResult(!cluster.Nodes.Any(Connected)), "cut off from Redis");
        // Each node serves a burst of its own, then refuses.
        foreach (var node in cluster.Nodes)
        {
            var c = node.ClientFor(whileDown);
            for (var i = 0; i < Burst; i++)
                await (await SendAsync(c, roomId)).AssertOkAsync();
            await (await SendAsync(c, roomId)).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        }
        var onA = await TryConnectAsync(cluster[0], whileDown);
        Assert.NotNull(onA);
        Assert.Null(await TryConnectAsync(cluster[0], whileDown));
        var onB = await TryConnectAsync(cluster[1], whileDown);
        Assert.NotNull(onB);
        await CloseAsync(onA);
        await CloseAsync(onB);

        await redis.StartAsync();
        await UntilAsync(() => Task.FromResult(cluster.Nodes.All(Connected)), "reconnected to Redis");
        // Spread over both nodes, the burst is spent at the shared total, where each node's own buckets would still hold one.
        for (var i = 0; i < Burst; i++)
            await (await SendAsync(cluster[i % 2].ClientFor(afterwards), roomId)).AssertOkAsync();
        foreach (var node in cluster.Nodes)
            await (await SendAsync(node.ClientFor(afterwards), roomId)).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        // The closed sockets give their node's count back a moment after the close handshake.
        ClientWebSocket? again = null;
        await UntilAsync(async () => (again = await TryConnectAsync(cluster[0], afterwards)) is not null, "accepting a WebSocket on node A");
        Assert.Null(await TryConnectAsync(cluster[1], afterwards));
        await CloseAsync(again!);
    }
}
