using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Homeserver.Core.Cluster;
using Homeserver.IntegrationTests.Durability;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>
/// The per-address WebSocket cap counts the connections of every node, and the slots of a node killed with SIGKILL
/// free themselves when they expire unrenewed.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SharedWebSocketCapTests
{
    private static Uri SyncUri(Uri baseUrl, string token) =>
        new UriBuilder(baseUrl) { Scheme = "ws", Path = "/_matrix/client/v3/sync", Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;

    [Fact]
    public async Task CapHoldsAcrossNodes_AndAKilledNodesSlotFreesWithinItsLifetime()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var redis = TestRedis.Options();
        var keys = Directory.CreateTempSubdirectory("hs-cap-keys-").FullName;
        var capOfOne = new Dictionary<string, string> { ["HOMESERVER__LIMITS__MAX_WEBSOCKETS_PER_ADDRESS"] = "1" };
        var (dying, dyingUrl) = await ClusterProcessNode.StartAsync(0, "cap.test", database, redis, keys, environment: capOfOne);
        var (other, otherUrl) = await ClusterProcessNode.StartAsync(1, "cap.test", database, redis, keys, environment: capOfOne);
        try
        {
            using var anon = new HttpClient { BaseAddress = dyingUrl };
            var token = await ServerProcess.RegisterAsync(anon, "capped");
            using var first = new ClientWebSocket();
            await first.ConnectAsync(SyncUri(dyingUrl, token), CancellationToken.None);
            Assert.NotNull(await ReceiveAsync(first, TimeSpan.FromSeconds(10)));

            using var refused = new ClientWebSocket();
            refused.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(SyncUri(otherUrl, token), CancellationToken.None));
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.HttpStatusCode);

            dying.Kill(entireProcessTree: true);
            await dying.WaitForExitAsync();
            var killed = Stopwatch.StartNew();
            while (true)
            {
                using var again = new ClientWebSocket();
                try
                {
                    await again.ConnectAsync(SyncUri(otherUrl, token), CancellationToken.None);
                    Assert.NotNull(await ReceiveAsync(again, TimeSpan.FromSeconds(10)));
                    break;
                }
                catch (WebSocketException) when (killed.Elapsed < SharedConnectionSlots.Lifetime * 3)
                {
                    await Task.Delay(200);
                }
            }
            Assert.True(killed.Elapsed < SharedConnectionSlots.Lifetime + TimeSpan.FromSeconds(2), $"the slot freed {killed.Elapsed} after the kill");
        }
        finally
        {
            foreach (var p in new[] { dying, other })
                if (!p.HasExited)
                    p.Kill(entireProcessTree: true);
        }
    }
}
