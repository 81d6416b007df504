using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Homeserver.IntegrationTests.Http;

/// <summary>Request and decision logs name the request and the reason but never carry its secrets (checklist row 22).</summary>
public sealed class LogPrivacyTests
{
    [Fact]
    public async Task RequestLogs_ContainNoPasswordsOrTokens()
    {
        var logs = new CapturingLoggerProvider();
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.LogLevel = "Trace";
        await using var hs = await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<ILoggerProvider>(logs));

        const string password = "p4ssw0rd-that-must-not-leak";
        var user = await hs.RegisterAsync(password: password);
        await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", user = user.Localpart, password = password + "x" });
        var query = await hs.Client.GetAsync("/_matrix/client/v3/account/whoami?access_token=" + Uri.EscapeDataString(user.AccessToken));
        await query.AssertOkAsync();
        using var c = hs.ClientFor(user);
        await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();

        var all = string.Join("\n", logs.Lines);
        Assert.Contains("/_matrix/client/v3/account/whoami", all);
        Assert.Contains(user.UserId, all);
        Assert.DoesNotContain(password, all);
        Assert.DoesNotContain(user.AccessToken, all);
        Assert.DoesNotContain(user.AccessToken.Split('.')[2], all);
    }

    [Fact]
    public async Task RefusalLogs_NameTheReasonButNoSecret()
    {
        const string jwtSecret = "the organisation's jwt secret, long enough";
        const string sharedSecret = "the admin shared secret";
        const string password = "p4ssw0rd-of-a-refused-login";
        const string guessedToken = "guessed-registration-token";
        var logs = new CapturingLoggerProvider();
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.LogLevel = "Trace";
        options.Registration.RequireToken = true;
        options.Registration.Tokens = ["the-real-token"];
        options.Registration.SharedSecret = sharedSecret;
        options.Auth.JwtLogin.Enabled = true;
        options.Auth.JwtLogin.Secret = jwtSecret;
        await using var hs = await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<ILoggerProvider>(logs));

        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", "mallory")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("not the organisation's secret at all")), SecurityAlgorithms.HmacSha256),
        });
        await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "org.matrix.login.jwt", token = forged });
        await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", user = "mallory", password });
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "mallory", password })).JsonAsync();
        await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = "mallory", password, auth = new { type = "m.login.registration_token", token = guessedToken, session = challenge.GetProperty("session").GetString() },
        });
        var nonce = (await (await hs.Client.GetAsync("/_synapse/admin/v1/register")).AssertOkAsync()).GetProperty("nonce").GetString();
        var mac = Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes("a wrong secret"), Encoding.UTF8.GetBytes($"{nonce}\0mallory\0{password}\0notadmin")));
        await hs.Client.PostAsJsonAsync("/_synapse/admin/v1/register", new { nonce, username = "mallory", password, admin = false, mac });

        var all = string.Join("\n", logs.Lines);
        Assert.Contains("JWT login refused: SecurityTokenSignatureKeyNotFoundException", all);
        Assert.Contains("Login refused for @mallory:test.local: no such user", all);
        Assert.Contains("failed for a new account: unknown, used up or expired token", all);
        Assert.Contains("Shared-secret registration of mallory refused: wrong HMAC", all);
        foreach (var secret in new[] { forged, forged.Split('.')[2], password, guessedToken, sharedSecret, jwtSecret, mac })
            Assert.DoesNotContain(secret, all);
    }

    [Fact]
    public async Task Activity_UpdatesDeviceLastSeenAndUserLastActive()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var (user, c) = await hs.RegisterClientAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        c.DefaultRequestHeaders.UserAgent.ParseAdd("ActivityTest/1.0");
        await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        var device = await hs.Services.GetRequiredService<Homeserver.Core.Accounts.DeviceStore>().GetAsync(user.UserId, user.DeviceId, default);
        Assert.Equal("ActivityTest/1.0", device!.LastSeenUserAgent);
        Assert.Equal("127.0.0.1", device.LastSeenIp);
        var stored = await hs.Services.GetRequiredService<Homeserver.Core.Accounts.UserStore>().GetAsync(user.UserId, default);
        Assert.True(stored!.LastActiveTs >= before);
    }
}
