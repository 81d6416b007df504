using Homeserver.Core.Keys;
using Homeserver.Host;
using Homeserver.Host.Configuration;
using Homeserver.IntegrationTests.Durability;
using Xunit;

namespace Homeserver.IntegrationTests.Host;

/// <summary>The executable's commands, run as a separate process the way operators run them.</summary>
public sealed class CommandLineTests
{
    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => ServerProcess.RunToExitAsync(args);

    private static string WriteConfig(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("hs-cli-").FullName, "homeserver.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task GenerateConfig_PrintsAValidConfig_ThatCheckConfigAccepts()
    {
        var (exit, yaml, _) = await RunAsync("generate-config", "--server-name", "cli.example", "--port", "8448", "--data-dir", "./d");
        Assert.Equal(0, exit);
        Assert.Equal(ConfigTemplate.Render("cli.example", 8448, "./d", "sqlite", null), yaml);
        var check = await RunAsync("check-config", "--config", WriteConfig(yaml));
        Assert.Equal(0, check.Exit);
        Assert.Contains("OK", check.Out);
    }

    [Fact]
    public async Task GenerateConfig_Postgres_NeedsUri()
    {
        var (exit, _, err) = await RunAsync("generate-config", "--server-name", "x.example", "--database", "postgres");
        Assert.NotEqual(0, exit);
        Assert.Contains("--database-uri", err);
        var ok = await RunAsync("generate-config", "--server-name", "x.example", "--database", "postgres", "--database-uri", "Host=db;Username=hs");
        Assert.Equal(0, ok.Exit);
        Assert.Equal("postgres", ConfigLoader.Load(ok.Out, new System.Collections.Hashtable()).Database.Engine);
    }

    [Fact]
    public async Task CheckConfig_BadKey_ExitsNonZeroNamingTheKey()
    {
        var yaml = ConfigTemplate.Render("x.example", 8008, "./d", "sqlite", null).Replace("max_upload_size: 50M", "max_upload_size: huge");
        var (exit, _, err) = await RunAsync("check-config", "--config", WriteConfig(yaml));
        Assert.Equal(2, exit);
        Assert.Contains("media.max_upload_size", err);
    }

    [Fact]
    public async Task CheckConfig_MsisdnDelegateThatIsNoIdentityServerName_IsRefused()
    {
        var template = ConfigTemplate.Render("x.example", 8008, "./d", "sqlite", null);
        const string unset = "account_threepid_delegates:\n  msisdn:\n";
        Assert.Contains(unset, template);
        var (exit, _, err) = await RunAsync("check-config", "--config", WriteConfig(template.Replace(unset, "account_threepid_delegates:\n  msisdn: http://id.example/some/path\n")));
        Assert.Equal(2, exit);
        Assert.Contains("account_threepid_delegates.msisdn", err);
        var ok = await RunAsync("check-config", "--config", WriteConfig(template.Replace(unset, "account_threepid_delegates:\n  msisdn: https://id.example:8443/\n")));
        Assert.True(ok.Exit == 0, ok.Err);
    }

    [Fact]
    public async Task Run_BadConfig_ExitsNonZeroBeforeListening()
    {
        var yaml = ConfigTemplate.Render("x.example", 8008, "./d", "sqlite", null).Replace("server_name: x.example", "server_name:");
        var (exit, _, err) = await RunAsync("run", "--config", WriteConfig(yaml));
        Assert.Equal(2, exit);
        Assert.Contains("server_name", err);
    }

    [Fact]
    public async Task GenerateSigningKey_PrintsSynapseFormat()
    {
        var (exit, text, _) = await RunAsync("generate-signing-key");
        Assert.Equal(0, exit);
        using var key = SigningKey.Parse(text);
        Assert.StartsWith("ed25519:a_", key.KeyId);
    }

    [Fact]
    public async Task RegisterUser_CreatesAUserThatCanLogIn()
    {
        var config = WriteConfig(ConfigTemplate.Render("cli.example", 8008, "./d", "sqlite", null));
        var (exit, output, err) = await RunAsync("register-user", "--config", config, "--user", "admin", "--password", "a long password", "--admin");
        Assert.True(exit == 0, err);
        Assert.Contains("@admin:cli.example", output);
        var again = await RunAsync("register-user", "--config", config, "--user", "admin", "--password", "a long password");
        Assert.Equal(1, again.Exit);
        Assert.Contains("M_USER_IN_USE", again.Err);

        var options = ConfigLoader.LoadFile(config);
        options.Listeners[0].Port = 0;
        await using var hs = await Homeserver.Testing.TestHomeserver.StartAsync(options);
        var login = await hs.LoginAsync(new Homeserver.Testing.TestUser("@admin:cli.example", "admin", "a long password", "", ""));
        Assert.Equal("@admin:cli.example", login.UserId);
    }
}
