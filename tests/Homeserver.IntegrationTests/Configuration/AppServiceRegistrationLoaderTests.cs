using Homeserver.Core.Configuration;
using Homeserver.Host.Configuration;
using Xunit;

namespace Homeserver.IntegrationTests.Configuration;

/// <summary>
/// Registration files as bridges generate them: every key the spec defines is read, and a broken file stops the start
/// with the file and the key named, as a broken config does.
/// </summary>
public sealed class AppServiceRegistrationLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hs-as-").FullName;

    private const string Valid = """
        id: whatsapp
        url: http://localhost:29318
        as_token: as-token-a
        hs_token: hs-token-a
        sender_localpart: whatsappbot
        rate_limited: false
        protocols: [whatsapp]
        de.sorunome.msc2409.push_ephemeral: true
        org.matrix.msc3202: true
        namespaces:
          users:
            - exclusive: true
              regex: '@whatsapp_.*:example\.org'
          aliases:
            - exclusive: false
              regex: '#whatsapp_.*'
          rooms: []
        """;

    private HomeserverOptions With(params string[] files)
    {
        var names = new List<string>();
        foreach (var (text, i) in files.Select((t, i) => (t, i)))
        {
            File.WriteAllText(Path.Combine(_dir, $"r{i}.yaml"), text);
            names.Add($"r{i}.yaml");
        }
        return new HomeserverOptions { ServerName = "example.org", DataDir = _dir, AppServiceConfigFiles = names };
    }

    [Fact]
    public void AGeneratedRegistration_IsReadWithEveryKey()
    {
        var r = Assert.Single(AppServiceRegistrationLoader.LoadAll(With(Valid)));
        Assert.Equal("whatsapp", r.Id);
        Assert.Equal(new Uri("http://localhost:29318"), r.Url);
        Assert.Equal("whatsappbot", r.SenderLocalpart);
        Assert.False(r.RateLimited);
        Assert.Equal(["whatsapp"], r.Protocols);
        Assert.True(r.ReceiveEphemeral);
        Assert.True(r.DeviceMasquerading);
        var users = Assert.Single(r.Users);
        Assert.True(users.Exclusive);
        Assert.True(users.Matches("@whatsapp_123:example.org"));
        // The pattern matches the whole ID, not a part of it.
        Assert.False(users.Matches("@x:whatsapp_server.example.org"));
        Assert.False(Assert.Single(r.Aliases).Exclusive);
        Assert.Empty(r.Rooms);
    }

    [Fact]
    public void ANullUrl_IsAServiceThatOnlyActsAsAClient_AndRateLimitingDefaultsOn()
    {
        var r = Assert.Single(AppServiceRegistrationLoader.LoadAll(With(Valid.Replace("url: http://localhost:29318", "url: null").Replace("rate_limited: false\n", ""))));
        Assert.Null(r.Url);
        Assert.True(r.RateLimited);
    }

    [Theory]
    [InlineData("as_token: as-token-a\n", "", "as_token", "required")]
    [InlineData("url: http://localhost:29318\n", "", "url", "required")]
    [InlineData("url: http://localhost:29318", "url: ftp://x", "url", "http")]
    [InlineData("hs_token: hs-token-a", "hs_token: as-token-a", "hs_token", "differ")]
    [InlineData("sender_localpart: whatsappbot", "sender_localpart: Bad Bot", "sender_localpart", "localpart")]
    [InlineData("regex: '#whatsapp_.*'", "regex: '#whatsapp_(.*'", "namespaces.aliases.0.regex", "regular expression")]
    [InlineData("- exclusive: true\n      regex", "- regex", "namespaces.users.0.exclusive", "true or false")]
    [InlineData("rate_limited: false", "rate_limited: sometimes", "rate_limited", "true or false")]
    public void ABrokenRegistration_NamesTheFileAndTheKey(string find, string replace, string key, string reason)
    {
        Assert.Contains(find, Valid);
        var e = Assert.Throws<ConfigException>(() => AppServiceRegistrationLoader.LoadAll(With(Valid.Replace(find, replace))));
        var problem = Assert.Single(e.Problems);
        Assert.Contains("r0.yaml", problem.Key);
        Assert.EndsWith(": " + key, problem.Key);
        Assert.Contains(reason, problem.Reason);
    }

    [Fact]
    public void TwoFilesWithOneIdOrOneToken_AreRefused_AndAMissingFileIsNamed()
    {
        var sameId = Valid.Replace("as_token: as-token-a", "as_token: as-token-b").Replace("hs_token: hs-token-a", "hs_token: hs-token-b");
        Assert.Contains(Assert.Throws<ConfigException>(() => AppServiceRegistrationLoader.LoadAll(With(Valid, sameId))).Problems,
            p => p.Reason.Contains("the id 'whatsapp'"));
        var sameToken = Valid.Replace("id: whatsapp", "id: other");
        Assert.Contains(Assert.Throws<ConfigException>(() => AppServiceRegistrationLoader.LoadAll(With(Valid, sameToken))).Problems,
            p => p.Reason.Contains("share an as_token"));
        var options = With(Valid);
        options.AppServiceConfigFiles.Add("missing.yaml");
        var missing = Assert.Single(Assert.Throws<ConfigException>(() => AppServiceRegistrationLoader.LoadAll(options)).Problems);
        Assert.Contains("missing.yaml", missing.Key);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
