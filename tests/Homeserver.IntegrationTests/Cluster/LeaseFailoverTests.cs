using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.IntegrationTests.Durability;
using Homeserver.IntegrationTests.Push;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>
/// The background senders run on one node at a time, by lease: when the node holding the push lease is killed with
/// SIGKILL while a push is pending, another node takes the lease within seconds and delivers that push once.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LeaseFailoverTests
{
    [Fact]
    public async Task KillNine_OfThePushLeaseHolder_AnotherNodeTakesOverAndDeliversThePendingPushOnce()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var redis = TestRedis.Options();
        var keys = Directory.CreateTempSubdirectory("hs-lease-keys-").FullName;
        var gatewayPort = FakePushEndpoint.FreePort();
        var notifyUrl = $"http://127.0.0.1:{gatewayPort}/_matrix/push/v1/notify";

        Task<(Process Process, Uri BaseUrl)> StartNodeAsync(int index) => ClusterProcessNode.StartAsync(index, "lease.test", database, redis, keys,
            config => config.Replace("allowed_ip_ranges: []", "allowed_ip_ranges: [127.0.0.1/32]"));

        // Node 0 starts first, so it holds the push lease.
        var (holder, holderUrl) = await StartNodeAsync(0);
        var (other, otherUrl) = await StartNodeAsync(1);
        try
        {
            using var anon = new HttpClient { BaseAddress = holderUrl };
            using var b = new HttpClient { BaseAddress = holderUrl };
            b.DefaultRequestHeaders.Authorization = new("Bearer", await ServerProcess.RegisterAsync(anon, "offline"));
            // The sender writes through the other node: the push is queued by a commit there and is the holder's to deliver.
            using var a = new HttpClient { BaseAddress = otherUrl };
            a.DefaultRequestHeaders.Authorization = new("Bearer", await ServerProcess.RegisterAsync(anon, "sender"));
            var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
            await b.JoinAsync(roomId);
            await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", PusherApiTests.HttpPusher("lease-key", notifyUrl))).AssertOkAsync();

            // The gateway is not listening yet, so the push is still pending when the holder dies.
            var eventId = (await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t1", new { msgtype = "m.text", body = "pending" }))
                .AssertOkAsync()).GetProperty("event_id").GetString()!;
            await Task.Delay(500);
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
            var killed = Stopwatch.StartNew();

            await using var gateway = await FakePushEndpoint.StartAsync(gatewayPort);
            var received = await gateway.NextAsync(TimeSpan.FromSeconds(30));
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(15), $"delivered {killed.Elapsed} after the kill");
            var notification = JsonDocument.Parse(received.Body).RootElement.GetProperty("notification");
            Assert.Equal(eventId, notification.GetProperty("event_id").GetString());
            Assert.Equal("lease-key", notification.GetProperty("devices")[0].GetProperty("pushkey").GetString());
            await gateway.AssertQuietAsync(TimeSpan.FromSeconds(3));
        }
        finally
        {
            foreach (var p in new[] { holder, other })
                if (!p.HasExited)
                    p.Kill(entireProcessTree: true);
        }
    }
}
