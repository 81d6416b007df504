using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Homeserver.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

public sealed class JwtLoginTests : IAsyncLifetime
{
    private const string Secret = "an organisation secret that is long enough";
    private const string Issuer = "https://idp.example.org";
    private TestHomeserver _hs = null!;

    public async Task InitializeAsync() => _hs = await TestHomeserver.StartAsync("sqlite", o =>
    {
        o.Auth.JwtLogin.Enabled = true;
        o.Auth.JwtLogin.Secret = Secret;
        o.Auth.JwtLogin.Issuer = Issuer;
        o.Auth.JwtLogin.Audiences = ["matrix"];
    });

    public async Task DisposeAsync() => await _hs.DisposeAsync();

    private static string Token(string subject, string secret = Secret, string issuer = Issuer, DateTime? expires = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "matrix",
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(5),
            NotBefore = (expires ?? DateTime.UtcNow).AddMinutes(-10),
            IssuedAt = (expires ?? DateTime.UtcNow).AddMinutes(-10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });

    [Fact]
    public async Task JwtLogin_IsAdvertised()
    {
        var body = await (await _hs.Client.GetAsync("/_matrix/client/v3/login")).AssertOkAsync();
        Assert.Contains(body.GetProperty("flows").EnumerateArray(), f => f.GetProperty("type").GetString() == "org.matrix.login.jwt");
    }

    [Fact]
    public async Task JwtLogin_GoodToken_CreatesAndLogsInUser()
    {
        var res = await _hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "org.matrix.login.jwt", token = Token("carol") });
        var body = await res.AssertOkAsync();
        Assert.Equal("@carol:" + TestHomeserver.ServerName, body.GetProperty("user_id").GetString());
        using var c = _hs.NewClient(body.GetProperty("access_token").GetString());
        Assert.Equal("@carol:" + TestHomeserver.ServerName, (await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync()).GetProperty("user_id").GetString());

        var again = await (await _hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "org.matrix.login.jwt", token = Token("carol") })).AssertOkAsync();
        Assert.Equal("@carol:" + TestHomeserver.ServerName, again.GetProperty("user_id").GetString());
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("wrong-issuer")]
    [InlineData("expired")]
    [InlineData("garbage")]
    public async Task JwtLogin_BadToken_IsForbidden(string kind)
    {
        var token = kind switch
        {
            "forged" => Token("mallory", secret: "some other secret that is also long enough"),
            "wrong-issuer" => Token("mallory", issuer: "https://evil.example"),
            "expired" => Token("mallory", expires: DateTime.UtcNow.AddHours(-1)),
            _ => "not.a.jwt",
        };
        var res = await _hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "org.matrix.login.jwt", token });
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var profile = await _hs.Client.GetAsync("/_matrix/client/v3/profile/@mallory:" + TestHomeserver.ServerName);
        await profile.AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }
}
