using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

public sealed class LogoutTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string Whoami = "/_matrix/client/v3/account/whoami";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Logout_RevokesTokenAtOnceAndRemovesDevice(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, stayingClient) = await hs.RegisterClientAsync();
        var leaving = await hs.LoginAsync(user);
        Assert.Contains(leaving.DeviceId, await stayingClient.DeviceIdsAsync());
        // Use the token first, so a cached "live" answer has to be overturned by the logout.
        await hs.AssertTokenWorksAsync(leaving);

        using (var leavingClient = hs.ClientFor(leaving))
        {
            var res = await leavingClient.PostAsJsonAsync("/_matrix/client/v3/logout", new { });
            var body = await res.AssertOkAsync();
            Assert.Empty(body.EnumerateObject());
        }

        await hs.AssertTokenRevokedAsync(leaving);
        Assert.DoesNotContain(leaving.DeviceId, await stayingClient.DeviceIdsAsync());
        await hs.AssertTokenWorksAsync(user);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Logout_TwiceWithSameToken_SecondIsUnknownToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertOkAsync();
        await (await client.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");

        // The account itself is fine: a new login works.
        var again = await hs.LoginAsync(user);
        await hs.AssertTokenWorksAsync(again);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LogoutAll_RevokesEveryTokenOfTheUserOnly(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var second = await hs.LoginAsync(user);
        var third = await hs.LoginAsync(user);
        var bystander = await hs.RegisterAsync();
        await hs.AssertTokenWorksAsync(third);

        using (var client = hs.ClientFor(second))
            await (await client.PostAsJsonAsync("/_matrix/client/v3/logout/all", new { })).AssertOkAsync();

        await hs.AssertTokenRevokedAsync(user);
        await hs.AssertTokenRevokedAsync(second);
        await hs.AssertTokenRevokedAsync(third);
        await hs.AssertTokenWorksAsync(bystander);

        // A fresh login sees no leftover devices.
        var fresh = await hs.LoginAsync(user);
        using var freshClient = hs.ClientFor(fresh);
        Assert.Equal([fresh.DeviceId], await freshClient.DeviceIdsAsync());
    }

    [Fact]
    public async Task Whoami_WithoutToken_IsMissingToken()
    {
        var hs = await fixture.GetAsync("sqlite");
        await (await hs.Client.GetAsync(Whoami)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("syt_dGVzdA_abcdefghijklmnopqrst_0abcde")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJAZXZpbDp0ZXN0LmxvY2FsIn0.c2lnbmF0dXJl")]
    public async Task Whoami_GarbageToken_IsUnknownToken(string token)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var client = hs.NewClient(token);
        await (await client.GetAsync(Whoami)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Whoami_TamperedToken_IsUnknownToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var t = user.AccessToken;
        // Flip one character in the middle of the token (not the last one, whose low bits may be padding).
        var i = t.Length / 2;
        while (!char.IsLetterOrDigit(t[i]))
            i++;
        var tampered = t[..i] + (t[i] == 'A' ? 'B' : 'A') + t[(i + 1)..];
        using var client = hs.NewClient(tampered);
        await (await client.GetAsync(Whoami)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        await hs.AssertTokenWorksAsync(user);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Whoami_AccessTokenQueryParameter_IsAccepted(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var res = await hs.Client.GetAsync(Whoami + "?access_token=" + Uri.EscapeDataString(user.AccessToken));
        var who = await res.AssertOkAsync();
        Assert.Equal(user.UserId, who.GetProperty("user_id").GetString());
        Assert.Equal(user.DeviceId, who.GetProperty("device_id").GetString());

        // And the query parameter is checked like the header: garbage and revoked tokens fail.
        await (await hs.Client.GetAsync(Whoami + "?access_token=garbage")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        using (var client = hs.ClientFor(user))
            await (await client.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertOkAsync();
        await (await hs.Client.GetAsync(Whoami + "?access_token=" + Uri.EscapeDataString(user.AccessToken)))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
    }
}
