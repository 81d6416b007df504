using Homeserver.Host;
using Homeserver.Host.Configuration;
using Homeserver.IntegrationTests.Durability;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 11: a second server started on the same data directory without complaint, and the two
/// forked room history and missed each other's logouts. A server now holds an OS lock on its data directory
/// (and SQLite database) that dies with its process, and a second one refuses to start, naming the directory
/// and the holder's process ID.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class DataDirectoryLockTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SecondServerProcess_OnTheSameDataDirectory_RefusesToStart_NamingItAndTheHolder(string engine)
    {
        var dir = Directory.CreateTempSubdirectory("hs-lock-").FullName;
        var connection = engine == "postgres" ? await TestPostgres.CreateDatabaseAsync() : null;
        var (firstConfig, firstUrl) = await WriteConfigAsync(dir, engine, connection);
        // Its own port, so only the data directory is shared and a refusal cannot come from the listener.
        var (secondConfig, _) = await WriteConfigAsync(dir, engine, connection);

        using var first = await ServerProcess.StartAsync(firstConfig, firstUrl);
        try
        {
            var second = await ServerProcess.RunToExitAsync(["run", "--config", secondConfig]);

            Assert.NotEqual(0, second.Exit);
            Assert.Contains(dir, second.Err);
            Assert.Contains($"process {first.Id}", second.Err);
            Assert.Contains("in use by another homeserver", second.Err);
            Assert.DoesNotContain("   at ", second.Err);
            using var probe = new HttpClient { BaseAddress = firstUrl };
            (await probe.GetAsync("/_matrix/client/versions")).EnsureSuccessStatusCode();
        }
        finally
        {
            first.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task KillNine_LeavesNoStaleLock_TheNextServerStartsOnTheSameDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("hs-lock-").FullName;
        var (config, url) = await WriteConfigAsync(dir, "sqlite", null);
        using (var killed = await ServerProcess.StartAsync(config, url))
        {
            killed.Kill(entireProcessTree: true);
            await killed.WaitForExitAsync();
        }

        using var restarted = await ServerProcess.StartAsync(config, url);
        try
        {
            Assert.Equal($"{restarted.Id}", (await File.ReadAllTextAsync(Path.Combine(dir, DataDirectoryLock.PidFileName))).Trim());
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task ServersWithTheirOwnDataDirectories_ButOneSqliteDatabase_AreRefused()
    {
        var database = Path.Combine(Directory.CreateTempSubdirectory("hs-lock-db-").FullName, "shared.db");
        var firstOptions = await TestHomeserver.CreateOptionsAsync("sqlite");
        firstOptions.Database.SqlitePath = database;
        var secondOptions = await TestHomeserver.CreateOptionsAsync("sqlite");
        secondOptions.Database.SqlitePath = database;

        await using (var first = await TestHomeserver.StartAsync(firstOptions))
        {
            var refused = await Assert.ThrowsAsync<IOException>(() => TestHomeserver.StartAsync(secondOptions));
            Assert.Contains(database, refused.Message);
        }
        // Released when the first server was disposed.
        await using var second = await TestHomeserver.StartAsync(secondOptions);
        await second.RegisterAsync();
    }

    private static async Task<(string Config, Uri Url)> WriteConfigAsync(string dataDir, string engine, string? connection)
    {
        var port = ServerProcess.FreePort();
        var config = Path.Combine(Directory.CreateTempSubdirectory("hs-lock-config-").FullName, "homeserver.yaml");
        await File.WriteAllTextAsync(config, ConfigTemplate.Render("lock.test", port, dataDir, engine, connection));
        return (config, new Uri($"http://127.0.0.1:{port}"));
    }
}
