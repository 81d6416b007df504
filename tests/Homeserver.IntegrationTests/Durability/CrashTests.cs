using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Host;
using Homeserver.Host.Configuration;
using Homeserver.IntegrationTests.Rooms;
using Homeserver.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Homeserver.IntegrationTests.Durability;

/// <summary>
/// Fault test F1 (checklist row 78): senders under load, the server process killed with SIGKILL, restarted;
/// every acknowledged message is there exactly once, and retrying any transaction ID returns the original event.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class CrashTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task KillNine_UnderLoad_LosesNoAcknowledgedMessage(string engine)
    {
        var dir = Directory.CreateTempSubdirectory("hs-crash-").FullName;
        var port = FreePort();
        var yaml = ConfigTemplate.Render("crash.test", port, dir, engine,
            engine == "postgres" ? await TestPostgres.CreateDatabaseAsync() : null);
        var config = Path.Combine(dir, "homeserver.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var baseUrl = new Uri($"http://127.0.0.1:{port}");

        using var server = await StartAsync(config, baseUrl);
        using var anon = new HttpClient { BaseAddress = baseUrl };
        var token = await RegisterAsync(anon);
        using var client = new HttpClient { BaseAddress = baseUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var roomId = await client.CreateRoomAsync();

        var acked = new ConcurrentDictionary<string, string>();
        var attempted = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 100 && !stop.IsCancellationRequested; i++)
            {
                var txn = $"s{s}-{i}";
                attempted.Add(txn);
                try
                {
                    var res = await client.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txn}", new { msgtype = "m.text", body = txn });
                    if (res.IsSuccessStatusCode)
                        acked[txn] = (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("event_id").GetString()!;
                }
                catch (HttpRequestException)
                {
                    return;
                }
            }
        })).ToList();
        // Kill mid-stream once enough is acknowledged; waiting on a count, not a clock, keeps a busy machine from starving the test.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (acked.Count < 50 && waited.Elapsed < TimeSpan.FromSeconds(60) && senders.Any(t => !t.IsCompleted))
            await Task.Delay(20);
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
        stop.Cancel();
        await Task.WhenAll(senders);
        Assert.True(acked.Count > 20, $"only {acked.Count} messages were acknowledged before the kill");

        if (engine == "sqlite")
        {
            await using var conn = new SqliteConnection($"Data Source={Path.Combine(dir, "homeserver.db")}");
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await cmd.ExecuteScalarAsync());
        }

        using var restarted = await StartAsync(config, baseUrl);
        var bodies = (await client.MessagesAsync(roomId, "dir=b&limit=1000")).Bodies().ToList();
        foreach (var txn in acked.Keys)
            Assert.Single(bodies, txn);
        Assert.Equal(bodies.Count, bodies.Distinct().Count());

        // Retrying every transaction: acknowledged ones get their original event back, none is stored twice.
        foreach (var txn in attempted)
        {
            var res = await client.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txn}", new { msgtype = "m.text", body = txn });
            var id = (await res.AssertOkAsync()).GetProperty("event_id").GetString();
            if (acked.TryGetValue(txn, out var original))
                Assert.Equal(original, id);
        }
        var after = (await client.MessagesAsync(roomId, "dir=b&limit=1000")).Bodies().ToList();
        Assert.Equal(attempted.Distinct().Count(), after.Count);
        Assert.Equal(after.Count, after.Distinct().Count());
        restarted.Kill(entireProcessTree: true);
    }

    private static async Task<Process> StartAsync(string config, Uri baseUrl)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(HomeserverApp).Assembly.Location);
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        psi.Environment["HOMESERVER__REGISTRATION__ENABLED"] = "true";
        psi.Environment["HOMESERVER__RATE_LIMITS__ENABLED"] = "false";
        psi.Environment["HOMESERVER__LOG_LEVEL"] = "warning";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var probe = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 150; i++)
        {
            try
            {
                if ((await probe.GetAsync("/_matrix/client/versions")).IsSuccessStatusCode)
                    return p;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (p.HasExited)
                throw new InvalidOperationException($"server exited with {p.ExitCode}");
            await Task.Delay(200);
        }
        p.Kill(entireProcessTree: true);
        throw new TimeoutException("server did not start");
    }

    private static async Task<string> RegisterAsync(HttpClient c)
    {
        var challenge = await (await c.PostAsJsonAsync("/_matrix/client/v3/register", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var done = await c.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = "crasher", password = TestHomeserver.DefaultPassword,
            auth = new { type = "m.login.dummy", session = challenge.GetProperty("session").GetString() },
        });
        return (await done.AssertOkAsync()).GetProperty("access_token").GetString()!;
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
