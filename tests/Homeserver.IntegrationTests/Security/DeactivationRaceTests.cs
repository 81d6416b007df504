using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Homeserver.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 7: logins racing with a deactivation left live sessions on the deactivated account.
/// Password logins, JWT logins and refreshes run in loops while the account is deactivated; afterwards not one
/// access token they obtained, nor one refresh token, may still work, however the requests interleaved.
/// </summary>
public sealed class DeactivationRaceTests
{
    private const string JwtSecret = "an organisation secret that is long enough";
    private const int Trials = 12;
    private const int MaxRoundsPerWorker = 200;

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NoSessionSurvivesDeactivation_WhateverRacesIt(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine, o =>
        {
            o.Auth.JwtLogin.Enabled = true;
            o.Auth.JwtLogin.Secret = JwtSecret;
        });
        for (var trial = 0; trial < Trials; trial++)
            await RunTrialAsync(hs, trial);
    }

    private static async Task RunTrialAsync(TestHomeserver hs, int trial)
    {
        var (user, owner) = await hs.RegisterClientAsync();
        var accessTokens = new ConcurrentBag<string> { user.AccessToken };
        var refreshTokens = new ConcurrentBag<string>();
        var started = new CountdownEvent(6);

        async Task PasswordLogins()
        {
            for (var i = 0; i < MaxRoundsPerWorker; i++)
            {
                var token = await AccessTokenOrNullAsync(await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
                {
                    type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password,
                }), accessTokens, refreshTokens);
                if (i == 0) started.Signal();
                if (token is null) return;
                await WhoamiAsync(hs, token);
            }
        }

        async Task JwtLogins()
        {
            for (var i = 0; i < MaxRoundsPerWorker; i++)
            {
                var token = await AccessTokenOrNullAsync(await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login",
                    new { type = "org.matrix.login.jwt", token = Jwt(user.Localpart) }), accessTokens, refreshTokens);
                if (i == 0) started.Signal();
                if (token is null) return;
                await WhoamiAsync(hs, token);
            }
        }

        async Task Refreshes()
        {
            var login = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
            {
                type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password, refresh_token = true,
            })).JsonAsync();
            var refresh = login.TryGetProperty("refresh_token", out var r) ? r.GetString() : null;
            if (login.TryGetProperty("access_token", out var a))
                accessTokens.Add(a.GetString()!);
            started.Signal();
            for (var i = 0; i < MaxRoundsPerWorker && refresh is not null; i++)
            {
                refreshTokens.Add(refresh);
                var res = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/refresh", new { refresh_token = refresh })).JsonAsync();
                if (!res.TryGetProperty("access_token", out var access))
                    return;
                accessTokens.Add(access.GetString()!);
                await WhoamiAsync(hs, access.GetString()!);
                refresh = res.GetProperty("refresh_token").GetString();
            }
        }

        var workers = new List<Task> { Task.Run(PasswordLogins), Task.Run(PasswordLogins), Task.Run(JwtLogins), Task.Run(JwtLogins), Task.Run(Refreshes), Task.Run(Refreshes) };
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        // Vary where in the workers' rounds the deactivation lands.
        await Task.Delay(trial % 4 * 5);
        var deactivate = await owner.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new
        {
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password },
        });
        await deactivate.AssertOkAsync();
        await Task.WhenAll(workers);

        foreach (var token in accessTokens.Distinct())
        {
            using var c = hs.NewClient(token);
            await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        }
        foreach (var refresh in refreshTokens.Distinct())
            Assert.False((await hs.Client.PostAsJsonAsync("/_matrix/client/v3/refresh", new { refresh_token = refresh })).IsSuccessStatusCode);
    }

    private static async Task<string?> AccessTokenOrNullAsync(HttpResponseMessage res, ConcurrentBag<string> accessTokens, ConcurrentBag<string> refreshTokens)
    {
        var body = await res.JsonAsync();
        if (!res.IsSuccessStatusCode)
        {
            Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
            return null;
        }
        var token = body.GetProperty("access_token").GetString()!;
        accessTokens.Add(token);
        if (body.TryGetProperty("refresh_token", out var refresh) && refresh.ValueKind == JsonValueKind.String)
            refreshTokens.Add(refresh.GetString()!);
        return token;
    }

    /// <summary>Puts the session in the validator's cache while the deactivation may be revoking it.</summary>
    private static async Task WhoamiAsync(TestHomeserver hs, string token)
    {
        using var c = hs.NewClient(token);
        await c.GetAsync("/_matrix/client/v3/account/whoami");
    }

    private static string Jwt(string subject) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(JwtSecret)), SecurityAlgorithms.HmacSha256),
        });
}
