using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Host.Configuration;
using Homeserver.IntegrationTests.Push;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Durability;

/// <summary>
/// Fault test F2 for push: the server is killed with SIGKILL after an event is committed and before its push
/// went out (the gateway is down); after the restart the gateway, now up, receives that notification once.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PushCrashTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task KillNine_BetweenCommitAndPush_DeliversOnceAfterRestart(string engine)
    {
        var dir = Directory.CreateTempSubdirectory("hs-push-crash-").FullName;
        var port = ServerProcess.FreePort();
        var gatewayPort = FakePushEndpoint.FreePort();
        var yaml = ConfigTemplate.Render("crash.test", port, dir, engine, engine == "postgres" ? await TestPostgres.CreateDatabaseAsync() : null)
            .Replace("allowed_ip_ranges: []", "allowed_ip_ranges: [127.0.0.1/32]");
        var config = Path.Combine(dir, "homeserver.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var notifyUrl = $"http://127.0.0.1:{gatewayPort}/_matrix/push/v1/notify";

        string eventId;
        using (var server = await ServerProcess.StartAsync(config, baseUrl))
        {
            using var anon = new HttpClient { BaseAddress = baseUrl };
            using var a = new HttpClient { BaseAddress = baseUrl };
            a.DefaultRequestHeaders.Authorization = new("Bearer", await ServerProcess.RegisterAsync(anon, "sender"));
            using var b = new HttpClient { BaseAddress = baseUrl };
            b.DefaultRequestHeaders.Authorization = new("Bearer", await ServerProcess.RegisterAsync(anon, "offline"));
            var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
            await b.JoinAsync(roomId);
            await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", PusherApiTests.HttpPusher("crash-key", notifyUrl))).AssertOkAsync();

            // The gateway is not listening yet, so the push can only be pending when the process dies.
            eventId = (await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t1", new { msgtype = "m.text", body = "still there?" }))
                .AssertOkAsync()).GetProperty("event_id").GetString()!;
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        await using var gateway = await FakePushEndpoint.StartAsync(gatewayPort);
        using var restarted = await ServerProcess.StartAsync(config, baseUrl);
        try
        {
            var received = await gateway.NextAsync(TimeSpan.FromSeconds(60));
            var notification = JsonDocument.Parse(received.Body).RootElement.GetProperty("notification");
            Assert.Equal(eventId, notification.GetProperty("event_id").GetString());
            Assert.Equal("crash-key", notification.GetProperty("devices")[0].GetProperty("pushkey").GetString());
            await gateway.AssertQuietAsync(TimeSpan.FromSeconds(3));
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
        }
    }
}
