using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

public sealed class RefreshTokenTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Refresh_RotatesTokens_AndRevokesTheOldPair(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var login = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password, refresh_token = true,
        })).AssertOkAsync();
        var expiresIn = login.GetProperty("expires_in_ms").GetInt64();
        Assert.InRange(expiresIn, 1, (long)TimeSpan.FromMinutes(5).TotalMilliseconds);
        var refresh = login.GetProperty("refresh_token").GetString();
        var oldAccess = login.GetProperty("access_token").GetString();

        var rotated = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/refresh", new { refresh_token = refresh })).AssertOkAsync();
        Assert.NotEqual(refresh, rotated.GetProperty("refresh_token").GetString());
        using (var c = hs.NewClient(rotated.GetProperty("access_token").GetString()))
        {
            var who = await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
            Assert.Equal(login.GetProperty("device_id").GetString(), who.GetProperty("device_id").GetString());
        }
        using (var old = hs.NewClient(oldAccess))
            await (await old.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        var reuse = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/refresh", new { refresh_token = refresh });
        await reuse.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
    }

    [Fact]
    public async Task ExpiredAccessToken_IsSoftLogout()
    {
        var hs = await fixture.GetAsync("sqlite");
        var user = await hs.RegisterAsync();
        // Re-sign the user's live session with an expiry in the past, using the server's own key file:
        // only expiry differs, so the answer must be the soft-logout one.
        var live = new JsonWebTokenHandler().ReadJsonWebToken(user.AccessToken);
        var key = await TokenSigningKey.LoadOrCreateAsync(hs.Options.ResolvePath(hs.Options.Auth.TokenKeyPath), default);
        var issuer = new AccessTokenIssuer(ServerIdentity.Of(hs.Options), key);
        var now = DateTimeOffset.UtcNow;
        var expired = issuer.Create(user.UserId, user.DeviceId, live.GetClaim(AccessTokenClaims.SessionId).Value, guest: false, now.AddHours(-2), now.AddHours(-1));
        using var c = hs.NewClient(expired);
        var body = await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        Assert.True(body.GetProperty("soft_logout").GetBoolean());
    }

    [Fact]
    public async Task ForgedAccessToken_IsUnknown()
    {
        var hs = await fixture.GetAsync("sqlite");
        var user = await hs.RegisterAsync();
        var live = new JsonWebTokenHandler().ReadJsonWebToken(user.AccessToken);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TestHomeserver.ServerName,
            Audience = TestHomeserver.ServerName,
            Subject = new ClaimsIdentity([
                new Claim(AccessTokenClaims.UserId, user.UserId),
                new Claim(AccessTokenClaims.DeviceId, user.DeviceId),
                new Claim(AccessTokenClaims.SessionId, live.GetClaim(AccessTokenClaims.SessionId).Value),
            ]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]), SecurityAlgorithms.HmacSha256),
        });
        using var c = hs.NewClient(forged);
        var body = await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        Assert.False(body.GetProperty("soft_logout").GetBoolean());
    }
}
