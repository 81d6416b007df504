using System.Runtime.Versioning;
using Homeserver.Host.Configuration;
using Homeserver.IntegrationTests.Durability;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 15: a read-only data directory, or a corrupt access-token or signing key, ended the start
/// in a stack trace that named no file. Each now exits non-zero with one line naming the file and what is wrong.
/// </summary>
public sealed class StartupFileErrorTests
{
    [Fact]
    public async Task CorruptAccessTokenKey_ExitsNamingTheFile()
    {
        var (dataDir, config) = await WriteConfigAsync();
        var keyFile = Path.Combine(dataDir, "access_token.key");
        await File.WriteAllTextAsync(keyFile, "this is not base64 at all!\n");

        await AssertRefusesNamingAsync(config, keyFile, "Base64");
    }

    [Fact]
    public async Task CorruptSigningKey_ExitsNamingTheFile()
    {
        var (dataDir, config) = await WriteConfigAsync();
        var keyFile = Path.Combine(dataDir, "signing.key");
        await File.WriteAllTextAsync(keyFile, "ed25519 a_abcd not-a-seed\n");

        await AssertRefusesNamingAsync(config, keyFile, "malformed");
    }

    [Fact]
    public async Task CorruptDatabaseFile_ExitsNamingIt()
    {
        var (dataDir, config) = await WriteConfigAsync();
        var database = Path.Combine(dataDir, "homeserver.db");
        await File.WriteAllBytesAsync(database, System.Text.Encoding.ASCII.GetBytes(new string('x', 8192)));

        await AssertRefusesNamingAsync(config, database, "not a database");
    }

    [Fact]
    public async Task UnreachablePostgres_ExitsNamingIt()
    {
        var root = Directory.CreateTempSubdirectory("hs-startup-files-").FullName;
        var config = Path.Combine(root, "homeserver.yaml");
        var port = ServerProcess.FreePort();
        await File.WriteAllTextAsync(config, ConfigTemplate.Render("files.test", ServerProcess.FreePort(), Path.Combine(root, "data"), "postgres",
            $"Host=127.0.0.1;Port={port};Username=homeserver;Password=secret;Database=hsdb;Timeout=3"));

        await AssertRefusesNamingAsync(config, $"the PostgreSQL database 'hsdb' on 127.0.0.1:{port}", "cannot use");
        var (_, _, err) = await ServerProcess.RunToExitAsync(["run", "--config", config]);
        Assert.DoesNotContain("secret", err);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [UnsupportedOSPlatform("windows")]
    public async Task ReadOnlyDataDirectory_ExitsNamingIt(bool populated)
    {
        var (dataDir, config) = await WriteConfigAsync();
        if (populated)
        {
            var register = await ServerProcess.RunToExitAsync(["register-user", "--config", config, "--user", "admin", "--password", "a long password"]);
            Assert.True(register.Exit == 0, register.Err);
        }
        // The server runs as nobody when the tests run as root (see RunToExitAsync); nobody reads the config.
        File.SetUnixFileMode(Path.GetDirectoryName(config)!, ReadOnlyDirectory | UnixFileMode.UserWrite);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(dataDir, ReadOnlyDirectory);
        try
        {
            await AssertRefusesNamingAsync(config, dataDir, "not writable", unprivileged: true);
        }
        finally
        {
            File.SetUnixFileMode(dataDir, ReadOnlyDirectory | UnixFileMode.UserWrite);
        }
    }

    private const UnixFileMode ReadOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead
        | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static async Task AssertRefusesNamingAsync(string config, string file, string problem, bool unprivileged = false)
    {
        var (exit, _, err) = await ServerProcess.RunToExitAsync(["run", "--config", config], unprivileged);
        Assert.NotEqual(0, exit);
        Assert.Contains(file, err);
        Assert.Contains(problem, err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("Unhandled exception", err);
    }

    private static async Task<(string DataDir, string Config)> WriteConfigAsync()
    {
        var root = Directory.CreateTempSubdirectory("hs-startup-files-").FullName;
        var dataDir = Path.Combine(root, "data");
        Directory.CreateDirectory(dataDir);
        var config = Path.Combine(root, "homeserver.yaml");
        await File.WriteAllTextAsync(config, ConfigTemplate.Render("files.test", ServerProcess.FreePort(), dataDir, "sqlite", null));
        return (dataDir, config);
    }
}
