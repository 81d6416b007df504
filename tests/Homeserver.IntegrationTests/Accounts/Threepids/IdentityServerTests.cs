using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>
/// Binding addresses at identity servers through the homeserver (<c>/account/3pid/bind</c>, <c>unbind</c>,
/// <c>delete</c>, deactivation), as SyTest's <c>54identity</c> does, and identity servers a client may not make the
/// server call.
/// </summary>
public sealed class IdentityServerTests(ThreepidFixture fixture) : IClassFixture<ThreepidFixture>
{
    private static string NewAddress() => $"bound{Guid.NewGuid():N}@example.org";

    private static async Task BindAsync(HttpClient client, FakeIdentityServer identity, string address, string path = "/_matrix/client/v3/account/3pid/bind")
    {
        var sid = identity.Validate("email", address, "bind-secret");
        await (await client.PostAsJsonAsync(path, new { id_server = identity.Name, id_access_token = FakeIdentityServer.AccessToken, sid, client_secret = "bind-secret" }))
            .AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Bind_ThenDelete_UnbindsAtTheIdentityServer_WithASignedRequest(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (user, client) = await hs.RegisterClientAsync();
        var address = NewAddress();
        await BindAsync(client, identity, address, "/_matrix/client/unstable/account/3pid/bind");
        Assert.Equal(user.UserId, identity.Bindings[("email", address)]);

        var deleted = await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/delete", new { medium = "email", address })).AssertOkAsync();
        Assert.Equal("success", deleted.GetProperty("id_server_unbind_result").GetString());
        Assert.False(identity.Bindings.ContainsKey(("email", address)));
        Assert.Contains(identity.UnbindAuthorizations, a => a.StartsWith($"X-Matrix origin=\"{hs.Options.ServerName}\",destination=\"{identity.Name}\"", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Unbind_WithOrWithoutTheServerNamed_AndOutOfBandBindings(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (user, client) = await hs.RegisterClientAsync();
        var first = NewAddress();
        await BindAsync(client, identity, first);
        var unbound = await (await client.PostAsJsonAsync("/_matrix/client/unstable/account/3pid/unbind", new { medium = "email", address = first })).AssertOkAsync();
        Assert.Equal("success", unbound.GetProperty("id_server_unbind_result").GetString());
        Assert.False(identity.Bindings.ContainsKey(("email", first)));

        // Bound without us: unbinding must name the identity server.
        var second = NewAddress();
        identity.Bindings[("email", second)] = user.UserId;
        var named = await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/unbind", new { medium = "email", address = second, id_server = identity.Name })).AssertOkAsync();
        Assert.Equal("success", named.GetProperty("id_server_unbind_result").GetString());
        Assert.False(identity.Bindings.ContainsKey(("email", second)));

        // Someone else's binding is not ours to remove: the identity server refuses, and the answer says so.
        var theirs = NewAddress();
        identity.Bindings[("email", theirs)] = "@someone:else.example";
        var refused = await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/unbind", new { medium = "email", address = theirs, id_server = identity.Name })).AssertOkAsync();
        Assert.Equal("no-support", refused.GetProperty("id_server_unbind_result").GetString());
        Assert.Equal("@someone:else.example", identity.Bindings[("email", theirs)]);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Deactivation_UnbindsEveryBoundAddress(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (user, client) = await hs.RegisterClientAsync();
        var address = NewAddress();
        await BindAsync(client, identity, address);
        var done = await (await client.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new
        {
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.UserId }, password = user.Password },
        })).AssertOkAsync();
        Assert.Equal("success", done.GetProperty("id_server_unbind_result").GetString());
        Assert.False(identity.Bindings.ContainsKey(("email", address)));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IdentityServers_ThatAreNotAllowedOrNotServerNames_AreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (_, client) = await hs.RegisterClientAsync();
        // A private address outside the allowed ranges: the server never connects.
        await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/bind", new { id_server = "10.0.0.1:8090", id_access_token = "t", sid = "s", client_secret = "c" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_SERVER_NOT_TRUSTED");
        // A path smuggled into the name.
        await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/bind", new { id_server = identity.Name + "/admin?x=", id_access_token = "t", sid = "s", client_secret = "c" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        // The identity server's own refusal reaches the client in Matrix shape.
        await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/bind", new { id_server = identity.Name, id_access_token = "wrong", sid = "s", client_secret = "c" }))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNAUTHORIZED");
        await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/bind", new { id_server = identity.Name, id_access_token = FakeIdentityServer.AccessToken, sid = "unknown", client_secret = "c" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_NO_VALID_SESSION");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LegacyAdd_TakesAnAddressTheIdentityServerValidated_AndBindsIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (user, client) = await hs.RegisterClientAsync();
        var address = NewAddress();
        var sid = identity.Validate("email", address, "legacy-secret");
        await (await client.PostAsJsonAsync("/_matrix/client/r0/account/3pid", new
        {
            three_pid_creds = new { id_server = identity.Name, id_access_token = FakeIdentityServer.AccessToken, sid, client_secret = "legacy-secret" },
            bind = true,
        })).AssertOkAsync();
        var listed = Assert.Single((await (await client.GetAsync("/_matrix/client/v3/account/3pid")).AssertOkAsync()).GetProperty("threepids").EnumerateArray());
        Assert.Equal(address, listed.GetProperty("address").GetString());
        Assert.Equal(user.UserId, identity.Bindings[("email", address)]);
    }
}
