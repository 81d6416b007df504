using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Host;
using Homeserver.Host.Configuration;
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
        var port = ServerProcess.FreePort();
        var yaml = ConfigTemplate.Render("crash.test", port, dir, engine,
            engine == "postgres" ? await TestPostgres.CreateDatabaseAsync() : null);
        var config = Path.Combine(dir, "homeserver.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var baseUrl = new Uri($"http://127.0.0.1:{port}");

        using var server = await ServerProcess.StartAsync(config, baseUrl);
        using var anon = new HttpClient { BaseAddress = baseUrl };
        var token = await ServerProcess.RegisterAsync(anon, "crasher");
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

        using var restarted = await ServerProcess.StartAsync(config, baseUrl);
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
}
