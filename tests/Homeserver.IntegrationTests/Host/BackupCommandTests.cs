using Homeserver.Host.Configuration;
using Homeserver.IntegrationTests.Durability;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Host;

/// <summary>
/// <c>backup</c> as an operator runs it: against a live server that keeps writing, then a server started on the
/// backup folder alone serves what was acknowledged before the backup, the media, and the same identity.
/// </summary>
public sealed class BackupCommandTests
{
    [Fact]
    public async Task ABackupOfARunningServer_RestoresItsMessagesMediaKeysAndSessions()
    {
        var dir = Directory.CreateTempSubdirectory("hs-backup-").FullName;
        var port = ServerProcess.FreePort();
        var config = Path.Combine(dir, "homeserver.yaml");
        await File.WriteAllTextAsync(config, ConfigTemplate.Render("backup.test", port, dir, "sqlite", null));
        var baseUrl = new Uri($"http://127.0.0.1:{port}");

        string roomId, mxc, keyId;
        var before = new List<string>();
        var backupDir = Path.Combine(Directory.CreateTempSubdirectory("hs-backup-to-").FullName, "copy");
        using var client = new HttpClient { BaseAddress = baseUrl };
        var server = await ServerProcess.StartAsync(config, baseUrl);
        try
        {
            using var anon = new HttpClient { BaseAddress = baseUrl };
            client.DefaultRequestHeaders.Authorization = new("Bearer", await ServerProcess.RegisterAsync(anon, "keeper"));
            roomId = await client.CreateRoomAsync();
            for (var i = 0; i < 20; i++)
            {
                await client.SendTextAsync(roomId, $"before {i}");
                before.Add($"before {i}");
            }
            var upload = await (await client.PostAsync("/_matrix/media/v3/upload?filename=a.bin", new ByteArrayContent([1, 2, 3, 4, 5]))).AssertOkAsync();
            mxc = upload.GetProperty("content_uri").GetString()!;
            keyId = await KeyIdAsync(anon);

            // The server keeps writing while the backup runs: the copy must still be one consistent snapshot.
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                    await client.SendTextAsync(roomId, $"during {i}");
            });
            var (exit, output, err) = await ServerProcess.RunToExitAsync(["backup", "--config", config, "--to", backupDir]);
            await stop.CancelAsync();
            await writer;
            Assert.True(exit == 0, err);
            Assert.Contains("homeserver.db", output);

            var again = await ServerProcess.RunToExitAsync(["backup", "--config", config, "--to", backupDir]);
            Assert.Equal(1, again.Exit);
            Assert.Contains("not empty", again.Err);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        Assert.False(File.Exists(Path.Combine(backupDir, "homeserver.db-wal")), "the snapshot is one file, not a copy of the write-ahead log");
        Assert.False(Directory.Exists(Path.Combine(backupDir, "media", "tmp")));

        // Restored: the backup folder is the data directory of a new server, with the same config otherwise.
        var restoredPort = ServerProcess.FreePort();
        var restoredConfig = Path.Combine(backupDir, "homeserver.yaml");
        var yaml = (await File.ReadAllTextAsync(restoredConfig)).Replace($"data_dir: {dir}", $"data_dir: {backupDir}", StringComparison.Ordinal)
            .Replace($"port: {port}", $"port: {restoredPort}", StringComparison.Ordinal);
        await File.WriteAllTextAsync(restoredConfig, yaml);
        var restoredUrl = new Uri($"http://127.0.0.1:{restoredPort}");
        var restored = await ServerProcess.StartAsync(restoredConfig, restoredUrl);
        try
        {
            await AssertRestoredAsync(restoredUrl, client.DefaultRequestHeaders.Authorization!, roomId, before, mxc, keyId);
        }
        finally
        {
            restored.Kill(entireProcessTree: true);
            await restored.WaitForExitAsync();
        }
    }

    private static async Task AssertRestoredAsync(Uri url, System.Net.Http.Headers.AuthenticationHeaderValue session, string roomId,
        List<string> before, string mxc, string keyId)
    {
        // The same access token works: the token key came along with the database.
        using var restored = new HttpClient { BaseAddress = url };
        restored.DefaultRequestHeaders.Authorization = session;

        var bodies = (await restored.MessagesAsync(roomId, "dir=b&limit=1000")).Bodies().ToList();
        Assert.All(before, b => Assert.Contains(b, bodies));
        var during = bodies.Where(b => b.StartsWith("during ", StringComparison.Ordinal)).Select(b => int.Parse(b["during ".Length..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, during.Count), during);
        var media = await restored.GetAsync("/_matrix/client/v1/media/download/" + mxc["mxc://".Length..]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, await media.Content.ReadAsByteArrayAsync());
        Assert.Equal(keyId, await KeyIdAsync(restored));
    }

    private static async Task<string> KeyIdAsync(HttpClient c)
    {
        var key = await (await c.GetAsync("/_matrix/key/v2/server")).AssertOkAsync();
        return key.GetProperty("verify_keys").EnumerateObject().Single().Name;
    }
}
