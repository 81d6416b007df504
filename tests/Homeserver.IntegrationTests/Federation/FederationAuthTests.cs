using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Keys;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>Two servers of ours on loopback: one asks the other for a profile over signed, TLS-checked federation.</summary>
public sealed class FederationAuthTests : IDisposable
{
    private const string ProfilePath = "/_matrix/federation/v1/query/profile?user_id=";
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ProfileQuery_SignedByAnotherServer_IsAnswered_AndItsKeyIsCached(string engine)
    {
        await using var target = await FederationTestServers.StartAsync(engine, _ca);
        await using var origin = await FederationTestServers.StartAsync(engine, _ca);
        var (user, client) = await target.RegisterClientAsync();
        (await client.PutAsJsonAsync($"/_matrix/client/v3/profile/{user.UserId}/displayname", new { displayname = "Alice Remote" })).EnsureSuccessStatusCode();

        var federation = origin.Services.GetRequiredService<FederationClient>();
        var path = ProfilePath + Uri.EscapeDataString(user.UserId);
        var profile = await federation.SendForJsonAsync(HttpMethod.Get, target.Options.ServerName, path, null, CancellationToken.None);
        Assert.Equal("Alice Remote", profile["displayname"]!.GetValue<string>());
        var field = await federation.SendForJsonAsync(HttpMethod.Get, target.Options.ServerName, path + "&field=displayname", null, CancellationToken.None);
        Assert.Equal(["displayname"], field.Select(p => p.Key));

        var originKey = origin.Services.GetRequiredService<SigningKey>();
        var cached = await target.Services.GetRequiredService<ServerKeyStore>().GetAsync(origin.Options.ServerName, originKey.KeyId, CancellationToken.None);
        Assert.Equal(originKey.PublicKey.ToArray(), cached!.PublicKey);
        Assert.True(cached.ValidUntilTs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ForgedWrongDestinationUnknownOrExpiredKey_AreRefusedWith401(string engine)
    {
        await using var target = await FederationTestServers.StartAsync(engine, _ca);
        await using var origin = await FederationTestServers.StartAsync(engine, _ca);
        var (user, _) = await target.RegisterClientAsync();
        var path = ProfilePath + Uri.EscapeDataString(user.UserId);
        var originName = origin.Options.ServerName;
        var realKey = origin.Services.GetRequiredService<SigningKey>();

        Assert.Equal(HttpStatusCode.OK, await AskAsync(target, path, XMatrixAuthorization.Create(realKey, originName, target.Options.ServerName, "GET", path, null)));

        using var forged = SigningKey.FromSeed(realKey.Version, RandomNumberGenerator.GetBytes(32));
        await AssertRefusedAsync(target, path, XMatrixAuthorization.Create(forged, originName, target.Options.ServerName, "GET", path, null));
        await AssertRefusedAsync(target, path, XMatrixAuthorization.Create(realKey, originName, "elsewhere.example", "GET", path, null));
        await AssertRefusedAsync(target, path, XMatrixAuthorization.Create(realKey, originName, target.Options.ServerName, "GET", path + "&field=displayname", null));
        using var unknown = SigningKey.FromSeed("unknown", RandomNumberGenerator.GetBytes(32));
        await AssertRefusedAsync(target, path, XMatrixAuthorization.Create(unknown, originName, target.Options.ServerName, "GET", path, null));
        await AssertRefusedAsync(target, path, null);

        // A cached key of a server that cannot be reached (nothing listens on port 1): accepted while valid, refused after.
        using var cachedKey = SigningKey.Generate();
        var store = target.Services.GetRequiredService<ServerKeyStore>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await store.SaveAsync([new ServerKey("localhost:1", cachedKey.KeyId, cachedKey.PublicKey.ToArray(), now + 60_000, null)], null, now, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, await AskAsync(target, path, XMatrixAuthorization.Create(cachedKey, "localhost:1", target.Options.ServerName, "GET", path, null)));
        await store.SaveAsync([new ServerKey("localhost:1", cachedKey.KeyId, cachedKey.PublicKey.ToArray(), now - 60_000, null)], null, now, CancellationToken.None);
        await AssertRefusedAsync(target, path, XMatrixAuthorization.Create(cachedKey, "localhost:1", target.Options.ServerName, "GET", path, null));
    }

    [Fact]
    public async Task AnOriginThatIsNoServerName_IsAMalformedHeader_400()
    {
        await using var target = await FederationTestServers.StartAsync("sqlite", _ca);
        var (user, _) = await target.RegisterClientAsync();
        var path = ProfilePath + Uri.EscapeDataString(user.UserId);
        using var key = SigningKey.Generate();

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", XMatrixAuthorization.Create(key, "localhost:http", target.Options.ServerName, "GET", path, null));
        using var response = await target.Client.SendAsync(request);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNAUTHORIZED");
    }

    [Fact]
    public async Task ABodyThatIsNoCanonicalJson_IsBadJson_NotABadSignature()
    {
        await using var target = await FederationTestServers.StartAsync("sqlite", _ca);
        await using var origin = await FederationTestServers.StartAsync("sqlite", _ca);
        const string path = "/_matrix/federation/v1/send/float-1";
        var signedBody = new JsonObject { ["origin"] = origin.Options.ServerName, ["origin_server_ts"] = 1, ["pdus"] = new JsonArray() };

        using var request = new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = new StringContent($"{{\"origin\":\"{origin.Options.ServerName}\",\"origin_server_ts\":1.5,\"pdus\":[]}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", XMatrixAuthorization.Create(origin.Services.GetRequiredService<SigningKey>(),
            origin.Options.ServerName, target.Options.ServerName, "PUT", path, signedBody));
        using var response = await target.Client.SendAsync(request);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }

    private static async Task<HttpStatusCode> AskAsync(TestHomeserver target, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await target.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task AssertRefusedAsync(TestHomeserver target, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await target.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("M_UNAUTHORIZED", body.GetProperty("errcode").GetString());
    }

    public void Dispose() => _ca.Dispose();
}
