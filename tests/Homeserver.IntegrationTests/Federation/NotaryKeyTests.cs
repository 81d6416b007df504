using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Keys;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Hosting;
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

    /// <summary>
    /// A query the cache cannot answer (its response expired before the time asked for) asks the server again each
    /// time, as Synapse's notary does; when the server fails, the expired response is answered rather than nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnExpiredKey_IsFetchedAgainWhileItsServerAnswers_AndAnsweredWhenNothingBetterComes(string engine)
    {
        var stub = new FederationAnswerStub();
        await using var notary = await FederationTestServers.StartAsync(engine, _ca);
        await using var origin = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: b => b.Services.AddSingleton<IStartupFilter>(stub));
        var originName = origin.Options.ServerName;
        using var expiredKey = SigningKey.Generate();
        var expiry = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        stub.Answer(OwnKeysPath, _ => KeyResponse(originName, expiredKey, expiry));

        foreach (var minimum in new long?[] { null, expiry + 1000 })
        {
            var answer = Assert.Single(await PostAsync(notary, originName, expiredKey.KeyId, minimum));
            AssertSignedByBoth(answer, originName, expiredKey, notary.Options.ServerName, notary.Services.GetRequiredService<SigningKey>());
            Assert.Equal(expiry, answer["valid_until_ts"]!.GetValue<long>());
        }
        Assert.Equal(2, stub.RequestsTo(OwnKeysPath).Count);

        stub.Refuse(OwnKeysPath, 400);
        for (var i = 0; i < 2; i++)
        {
            var answer = Assert.Single(await PostAsync(notary, originName, expiredKey.KeyId, expiry + 1000));
            Assert.Equal(expiry, answer["valid_until_ts"]!.GetValue<long>());
            AssertSignedByBoth(answer, originName, expiredKey, notary.Options.ServerName, notary.Services.GetRequiredService<SigningKey>());
        }
        Assert.Equal(4, stub.RequestsTo(OwnKeysPath).Count);
    }

    /// <summary>
    /// Responses are kept per key: a later answer of the server that no longer lists a key (it forgot it, or the answer
    /// is spurious) does not replace the response that carried it, which is still answered for it.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AKeyMissingFromALaterAnswer_IsStillAnsweredFromTheResponseThatCarriedIt(string engine)
    {
        var stub = new FederationAnswerStub();
        await using var notary = await FederationTestServers.StartAsync(engine, _ca);
        var notaryKey = notary.Services.GetRequiredService<SigningKey>();
        await using var origin = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: b => b.Services.AddSingleton<IStartupFilter>(stub));
        var originName = origin.Options.ServerName;
        using var oldKey = SigningKey.Generate();
        using var newKey = SigningKey.Generate();
        var expiry = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        stub.Answer(OwnKeysPath, _ => KeyResponse(originName, oldKey, expiry));
        AssertSignedByBoth(Assert.Single(await PostAsync(notary, originName, oldKey.KeyId, null)), originName, oldKey, notary.Options.ServerName, notaryKey);

        stub.Answer(OwnKeysPath, _ => KeyResponse(originName, newKey, expiry + 1000));
        var refetched = Assert.Single(await PostAsync(notary, originName, oldKey.KeyId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Assert.Equal(2, stub.RequestsTo(OwnKeysPath).Count);
        AssertSignedByBoth(refetched, originName, oldKey, notary.Options.ServerName, notaryKey);

        AssertSignedByBoth(Assert.Single(await PostAsync(notary, originName, oldKey.KeyId, expiry)), originName, oldKey, notary.Options.ServerName, notaryKey);
        Assert.Equal(2, stub.RequestsTo(OwnKeysPath).Count);
        var all = await PostAsync(notary, originName, null, null);
        Assert.Equal(2, all.Count);
        AssertSignedByBoth(all.Single(r => r["verify_keys"]![newKey.KeyId] is not null), originName, newKey, notary.Options.ServerName, notaryKey);
        AssertSignedByBoth(all.Single(r => r["verify_keys"]![oldKey.KeyId] is not null), originName, oldKey, notary.Options.ServerName, notaryKey);
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
            var cached = await asker.Services.GetRequiredService<ServerKeyStore>().GetResponsesAsync(targetName, CancellationToken.None);
            Assert.Equal(found, cached.Count > 0);
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

    private const string OwnKeysPath = "/_matrix/key/v2/server";

    /// <summary>A key response of <paramref name="serverName"/> listing <paramref name="key"/> alone, signed by it.</summary>
    private static JsonObject KeyResponse(string serverName, SigningKey key, long validUntilTs)
    {
        var response = new JsonObject
        {
            ["server_name"] = serverName,
            ["valid_until_ts"] = validUntilTs,
            ["verify_keys"] = new JsonObject { [key.KeyId] = new JsonObject { ["key"] = key.PublicKeyBase64 } },
            ["old_verify_keys"] = new JsonObject(),
        };
        JsonSigning.SignJson(response, serverName, key);
        return response;
    }

    /// <summary>A <c>POST</c> query about one server: one key (none: all) with its <c>minimum_valid_until_ts</c> when given.</summary>
    private static async Task<List<JsonObject>> PostAsync(TestHomeserver notary, string serverName, string? keyId, long? minimumValidUntilTs)
    {
        var criteria = new JsonObject();
        if (minimumValidUntilTs is { } minimum)
            criteria["minimum_valid_until_ts"] = minimum;
        var keys = keyId is null ? new JsonObject() : new JsonObject { [keyId] = criteria };
        using var response = await notary.Client.PostAsJsonAsync("/_matrix/key/v2/query", new JsonObject { ["server_keys"] = new JsonObject { [serverName] = keys } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["server_keys"]!.AsArray().Select(k => k!.AsObject()).ToList();
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
