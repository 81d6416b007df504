using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Keys;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Reads;

/// <summary>
/// <c>m.room.server_acl</c> on every federation read of a room: a denied server is refused with 403 <c>M_FORBIDDEN</c>
/// whatever it could see otherwise, while a server the ACL allows is served. The room is world readable, so that
/// only the ACL decides.
/// </summary>
public sealed class ServerAclReadTests : IDisposable
{
    private const string Allowed = "good.example";
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ADeniedServer_IsRefusedEveryRead_WhileAnAllowedServerIsServed(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var roomId = await alice.CreateRoomAsync(new
        {
            preset = "public_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "world_readable" } } },
        });
        var room = FederationReader.Escape(roomId);
        var reader = new FederationReader(b, a);
        using var goodKey = SigningKey.Generate();
        await TrustAsync(a, goodKey);

        // Ports are not matched and case is folded: "LOCALHOST" lets in localhost:PORT.
        await SetAclAsync(alice, roomId, new { allow = new[] { "LOCALHOST" } });
        var message = await alice.SendTextAsync(roomId, "hello");
        var at = FederationReader.Escape(message);
        foreach (var path in FederationReadVisibilityTests.ReadsOf(room, at))
            await reader.OkAsync(path);
        await reader.OkAsync($"/get_missing_events/{room}", FederationReadVisibilityTests.MissingEvents([], [message]));

        await SetAclAsync(alice, roomId, new { allow = new[] { "*.example" }, deny = new[] { "evil.example" } });
        foreach (var path in FederationReadVisibilityTests.ReadsOf(room, at))
        {
            await reader.RefusedAsync(path, HttpStatusCode.Forbidden, "M_FORBIDDEN");
            Assert.Equal(HttpStatusCode.OK, await AskAsGoodAsync(a, goodKey, HttpMethod.Get, path, null));
        }
        var missing = FederationReadVisibilityTests.MissingEvents([], [message]);
        await reader.RefusedAsync($"/get_missing_events/{room}", HttpStatusCode.Forbidden, "M_FORBIDDEN", missing);
        Assert.Equal(HttpStatusCode.OK, await AskAsGoodAsync(a, goodKey, HttpMethod.Post, $"/get_missing_events/{room}", missing));

        // Without an allow list nobody is let in.
        await SetAclAsync(alice, roomId, new { deny = new[] { "evil.example" } });
        Assert.Equal(HttpStatusCode.Forbidden, await AskAsGoodAsync(a, goodKey, HttpMethod.Get, $"/event/{at}", null));
    }

    private static async Task SetAclAsync(HttpClient alice, string roomId, object content) =>
        (await alice.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.server_acl/", content)).EnsureSuccessStatusCode();

    /// <summary>The allowed server's key, known to the host as if fetched: the server itself need not exist.</summary>
    private static async Task TrustAsync(TestHomeserver host, SigningKey key)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await host.Services.GetRequiredService<ServerKeyStore>()
            .SaveAsync([new ServerKey(Allowed, key.KeyId, key.PublicKey.ToArray(), now + 3_600_000, null)], null, now, CancellationToken.None);
    }

    private static async Task<HttpStatusCode> AskAsGoodAsync(TestHomeserver host, SigningKey key, HttpMethod method, string path, JsonObject? body)
    {
        var target = FederationReader.V1 + path;
        using var request = new HttpRequestMessage(method, target);
        request.Headers.TryAddWithoutValidation("Authorization", XMatrixAuthorization.Create(key, Allowed, host.Options.ServerName, method.Method, target, body));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(CanonicalJson.Encode(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await host.Client.SendAsync(request);
        return response.StatusCode;
    }

    public void Dispose() => _ca.Dispose();
}
