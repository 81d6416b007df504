using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

/// <summary>
/// OpenID tokens: a user asks for one (<c>/user/{userId}/openid/request_token</c>) and a third party exchanges it at the
/// unauthenticated federation endpoint <c>/openid/userinfo</c> for the user's ID, as SyTest's <c>45openid</c> checks; the
/// token is never an access token, lasts an hour, survives a restart and dies with its account.
/// </summary>
public sealed class OpenIdTests(OpenIdTests.ClockFixture fixture) : IClassFixture<OpenIdTests.ClockFixture>
{
    private const string UserInfo = "/_matrix/federation/v1/openid/userinfo";

    /// <summary>Servers whose clock a test can move forward, past a token's hour.</summary>
    public sealed class ClockFixture : HomeserverFixture
    {
        public ConcurrentDictionary<string, ShiftedTime> Clocks { get; } = new();

        protected override async Task<TestHomeserver> StartAsync(string engine)
        {
            var clock = Clocks.GetOrAdd(engine, _ => new ShiftedTime());
            return await TestHomeserver.StartAsync(await TestHomeserver.CreateOptionsAsync(engine), b => b.Services.AddSingleton<TimeProvider>(clock));
        }
    }

    public sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    private static string RequestTokenPath(string userId, string version = "v3") =>
        $"/_matrix/client/{version}/user/{Uri.EscapeDataString(userId)}/openid/request_token";

    private static async Task<JsonElement> RequestTokenAsync(HttpClient client, string userId, string version = "v3") =>
        await (await client.PostAsJsonAsync(RequestTokenPath(userId, version), new { })).AssertOkAsync();

    private static async Task<HttpResponseMessage> UserInfoAsync(TestHomeserver hs, string? token)
    {
        using var anonymous = hs.NewClient();
        return await anonymous.GetAsync(token is null ? UserInfo : $"{UserInfo}?access_token={Uri.EscapeDataString(token)}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RequestedToken_IsExchangedWithoutServerAuth_ForTheUsersId(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        foreach (var version in new[] { "v3", "r0" })
        {
            var issued = await RequestTokenAsync(client, user.UserId, version);
            Assert.Equal("Bearer", issued.GetProperty("token_type").GetString());
            Assert.Equal(hs.Options.ServerName, issued.GetProperty("matrix_server_name").GetString());
            Assert.Equal(3600, issued.GetProperty("expires_in").GetInt64());
            var token = issued.GetProperty("access_token").GetString()!;
            Assert.NotEqual(user.AccessToken, token);

            var info = await (await UserInfoAsync(hs, token)).AssertOkAsync();
            Assert.Equal(user.UserId, info.GetProperty("sub").GetString());
        }
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RequestToken_ForAnotherUserOrWithoutAccessToken_IsRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, client) = await hs.RegisterClientAsync();
        var other = await hs.RegisterAsync();

        await (await client.PostAsJsonAsync(RequestTokenPath(other.UserId), new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await hs.Client.PostAsJsonAsync(RequestTokenPath(other.UserId), new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserInfo_WithoutAnOpenIdToken_Is401(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();

        await (await UserInfoAsync(hs, null)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        await (await UserInfoAsync(hs, "an/invalid/token")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        // An access token proves nothing to a third party: only tokens made for that purpose are answered.
        await (await UserInfoAsync(hs, user.AccessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OpenIdToken_IsNoAccessToken_InTheHeaderOrTheQuery(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var token = (await RequestTokenAsync(client, user.UserId)).GetProperty("access_token").GetString()!;

        using var bearer = hs.NewClient(token);
        var requests = new[]
        {
            (HttpMethod.Get, "/_matrix/client/v3/account/whoami"), (HttpMethod.Get, "/_matrix/client/v3/sync?timeout=0"),
            (HttpMethod.Get, "/_matrix/client/v1/media/config"), (HttpMethod.Post, RequestTokenPath(user.UserId)),
        };
        foreach (var (method, path) in requests)
        {
            await (await bearer.SendAsync(new HttpRequestMessage(method, path) { Content = Body(method) }))
                .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
            var inQuery = $"{path}{(path.Contains('?') ? '&' : '?')}access_token={Uri.EscapeDataString(token)}";
            await (await hs.Client.SendAsync(new HttpRequestMessage(method, inQuery) { Content = Body(method) }))
                .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        }
        // Still good for what it is for.
        Assert.Equal(user.UserId, (await (await UserInfoAsync(hs, token)).AssertOkAsync()).GetProperty("sub").GetString());
    }

    private static JsonContent? Body(HttpMethod method) => method == HttpMethod.Post ? JsonContent.Create(new { }) : null;

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OpenIdToken_EndsAfterAnHour_AndWithItsAccount(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var clock = fixture.Clocks[engine];
        var (user, client) = await hs.RegisterClientAsync();
        var first = (await RequestTokenAsync(client, user.UserId)).GetProperty("access_token").GetString()!;

        // Access tokens made while the clock is moved would not be valid yet once it is back, so none is made meanwhile.
        string second;
        try
        {
            clock.Offset = TimeSpan.FromMinutes(59);
            await (await UserInfoAsync(hs, first)).AssertOkAsync();
            second = (await RequestTokenAsync(client, user.UserId)).GetProperty("access_token").GetString()!;
            clock.Offset = TimeSpan.FromMinutes(61);
            await (await UserInfoAsync(hs, first)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
            await (await UserInfoAsync(hs, second)).AssertOkAsync();
        }
        finally
        {
            clock.Offset = TimeSpan.Zero;
        }

        await (await client.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new
        {
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password },
        })).AssertOkAsync();
        await (await UserInfoAsync(hs, second)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OpenIdToken_SurvivesARestart(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        string token, userId;
        await using (var hs = await TestHomeserver.StartAsync(options))
        {
            var (user, client) = await hs.RegisterClientAsync();
            userId = user.UserId;
            token = (await RequestTokenAsync(client, user.UserId)).GetProperty("access_token").GetString()!;
        }
        await using var again = await TestHomeserver.StartAsync(options);
        Assert.Equal(userId, (await (await UserInfoAsync(again, token)).AssertOkAsync()).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task UserInfo_IsRateLimitedPerAddress_UnderItsOwnKey()
    {
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.RateLimits = new RateLimitsOptions { OpenidUserinfo = new RateLimitOptions { PerSecond = 0.001, BurstCount = 3 } };
        await using var hs = await TestHomeserver.StartAsync(options);
        var (user, client) = await hs.RegisterClientAsync();
        var token = (await RequestTokenAsync(client, user.UserId)).GetProperty("access_token").GetString()!;

        for (var i = 0; i < 3; i++)
            await (await UserInfoAsync(hs, $"guess{i}")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        var limited = await (await UserInfoAsync(hs, token)).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        Assert.True(limited.GetProperty("retry_after_ms").GetInt64() > 0);
    }
}
