using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Keys;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>Our server as a notary: other servers' keys answered from its cache, signed by them and by us, without X-Matrix.</summary>
public sealed class NotaryKeyTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task QueriedServer_IsFetched_SignedByItAndUs_AndAnsweredFromTheCacheOnceItIsDown(string engine)
    {
        await using var notary = await FederationTestServers.StartAsync(engine, _ca);
        var notaryKey = notary.Services.GetRequiredService<SigningKey>();
        var target = await FederationTestServers.StartAsync(engine, _ca);
        var targetName = target.Options.ServerName;
        var targetKey = target.Services.GetRequiredService<SigningKey>();
        try
        {
            var keys = await GetAsync(notary, $"/_matrix/key/v2/query/{targetName}");
            AssertSignedByBoth(Assert.Single(keys), targetName, targetKey, notary.Options.ServerName, notaryKey);
        }
        finally
        {
            await target.DisposeAsync();
        }

        var later = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var cached = await GetAsync(notary, $"/_matrix/key/v2/query/{targetName}?minimum_valid_until_ts={later}");
        AssertSignedByBoth(Assert.Single(cached), targetName, targetKey, notary.Options.ServerName, notaryKey);
        Assert.Empty(await GetAsync(notary, "/_matrix/key/v2/query/localhost:1"));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task BatchQuery_AnswersEachReachableServer_OursIncluded(string engine)
    {
        await using var notary = await FederationTestServers.StartAsync(engine, _ca);
        await using var target = await FederationTestServers.StartAsync(engine, _ca);
        var notaryKey = notary.Services.GetRequiredService<SigningKey>();
        var targetKey = target.Services.GetRequiredService<SigningKey>();
        var body = new JsonObject
        {
            ["server_keys"] = new JsonObject
            {
                [target.Options.ServerName] = new JsonObject { [targetKey.KeyId] = new JsonObject { ["minimum_valid_until_ts"] = 0 } },
                [notary.Options.ServerName] = new JsonObject(),
                ["localhost:1"] = new JsonObject(),
            },
        };
        using var response = await notary.Client.PostAsJsonAsync("/_matrix/key/v2/query", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var keys = (await response.Content.ReadFromJsonAsync<JsonObject>())!["server_keys"]!.AsArray().Select(k => k!.AsObject()).ToList();
        Assert.Equal(2, keys.Count);
        AssertSignedByBoth(keys.Single(k => k["server_name"]!.GetValue<string>() == target.Options.ServerName),
            target.Options.ServerName, targetKey, notary.Options.ServerName, notaryKey);
        var own = keys.Single(k => k["server_name"]!.GetValue<string>() == notary.Options.ServerName);
        Assert.True(JsonSigning.VerifyJson(own, notary.Options.ServerName, notaryKey.KeyId, notaryKey.PublicKey));
        Assert.Equal(notaryKey.PublicKeyBase64, own["verify_keys"]![notaryKey.KeyId]!["key"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task KeysOfAServerThatIsDown_ComeThroughATrustedNotary_OnlyWhenTheNotarysSignatureChecks(string engine)
    {
        await using var notary = await FederationTestServers.StartAsync(engine, _ca);
        var notaryKey = notary.Services.GetRequiredService<SigningKey>();
        var target = await FederationTestServers.StartAsync(engine, _ca);
        var targetName = target.Options.ServerName;
        var targetKey = target.Services.GetRequiredService<SigningKey>();
        try
        {
            Assert.Single(await GetAsync(notary, $"/_matrix/key/v2/query/{targetName}"));
        }
        finally
        {
            await target.DisposeAsync();
        }

        var pinned = new TrustedKeyServerOptions { ServerName = notary.Options.ServerName, KeyId = notaryKey.KeyId, Key = notaryKey.PublicKeyBase64 };
        var unpinned = new TrustedKeyServerOptions { ServerName = notary.Options.ServerName };
        using var otherKey = SigningKey.Generate();
        var wrongPin = new TrustedKeyServerOptions { ServerName = notary.Options.ServerName, KeyId = notaryKey.KeyId, Key = otherKey.PublicKeyBase64 };
        foreach (var (trusted, found) in new[] { (pinned, true), (unpinned, true), (wrongPin, false) })
        {
            await using var asker = await FederationTestServers.StartAsync(engine, _ca, o => o.Federation.TrustedKeyServers = [trusted]);
            var key = await asker.Services.GetRequiredService<IVerifyKeys>().FindAsync(targetName, targetKey.KeyId,
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);
            Assert.Equal(found ? targetKey.PublicKey.ToArray() : null, key);
            var cached = await asker.Services.GetRequiredService<ServerKeyStore>().GetResponseAsync(targetName, CancellationToken.None);
            Assert.Equal(found, cached is not null);
        }
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeprecatedPathsNamingAKeyId_AnswerAsTheirPlainForms(string engine)
    {
        await using var notary = await FederationTestServers.StartAsync(engine, _ca);
        await using var target = await FederationTestServers.StartAsync(engine, _ca);
        var notaryKey = notary.Services.GetRequiredService<SigningKey>();
        var targetKey = target.Services.GetRequiredService<SigningKey>();

        using var own = await target.Client.GetAsync($"/_matrix/key/v2/server/{Uri.EscapeDataString(targetKey.KeyId)}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var ownKeys = (await own.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(target.Options.ServerName, ownKeys["server_name"]!.GetValue<string>());
        Assert.True(JsonSigning.VerifyJson(ownKeys, target.Options.ServerName, targetKey.KeyId, targetKey.PublicKey));

        var queried = await GetAsync(notary, $"/_matrix/key/v2/query/{target.Options.ServerName}/{Uri.EscapeDataString(targetKey.KeyId)}");
        AssertSignedByBoth(Assert.Single(queried), target.Options.ServerName, targetKey, notary.Options.ServerName, notaryKey);
    }

    [Fact]
    public async Task TooManyServersOrAMalformedQuery_IsRefused()
    {
        await using var notary = await FederationTestServers.StartAsync("sqlite", _ca);
        var servers = new JsonObject();
        for (var i = 0; i <= KeyQueryService.MaxServers; i++)
            servers[$"s{i}.invalid"] = new JsonObject();
        await AssertErrorAsync(notary, new JsonObject { ["server_keys"] = servers }, "M_INVALID_PARAM");
        await AssertErrorAsync(notary, new JsonObject { ["server_keys"] = new JsonArray() }, "M_BAD_JSON");
        await AssertErrorAsync(notary, new JsonObject
        {
            ["server_keys"] = new JsonObject { ["a.example"] = new JsonObject { ["ed25519:a"] = new JsonObject { ["minimum_valid_until_ts"] = "soon" } } },
        }, "M_BAD_JSON");
    }

    [Fact]
    public async Task QueryEndpoints_AreNotServed_WhenFederationIsOff()
    {
        await using var server = await FederationTestServers.StartAsync("sqlite", _ca, o => o.Federation.Enabled = false);
        using var response = await server.Client.GetAsync($"/_matrix/key/v2/query/{server.Options.ServerName}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<List<JsonObject>> GetAsync(TestHomeserver notary, string path)
    {
        using var response = await notary.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["server_keys"]!.AsArray().Select(k => k!.AsObject()).ToList();
    }

    private static void AssertSignedByBoth(JsonObject response, string serverName, SigningKey serverKey, string notaryName, SigningKey notaryKey)
    {
        Assert.Equal(serverName, response["server_name"]!.GetValue<string>());
        Assert.Equal(serverKey.PublicKeyBase64, response["verify_keys"]![serverKey.KeyId]!["key"]!.GetValue<string>());
        Assert.True(JsonSigning.VerifyJson(response, serverName, serverKey.KeyId, serverKey.PublicKey), "the server's own signature");
        Assert.True(JsonSigning.VerifyJson(response, notaryName, notaryKey.KeyId, notaryKey.PublicKey), "the notary's signature");
    }

    private static async Task AssertErrorAsync(TestHomeserver notary, JsonObject body, string errcode)
    {
        using var response = await notary.Client.PostAsJsonAsync("/_matrix/key/v2/query", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(errcode, (await response.Content.ReadFromJsonAsync<JsonObject>())!["errcode"]!.GetValue<string>());
    }

    public void Dispose() => _ca.Dispose();
}
