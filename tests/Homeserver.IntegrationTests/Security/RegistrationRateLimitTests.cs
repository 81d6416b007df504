using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 14: the registration limit charged the UIA challenge round trip, so a spec-following client
/// got about 1.5 registrations out of a burst of 3. Now only a created account or a failed stage takes a token;
/// challenges take one from a bucket ten times the size, which stops a flood of them without hurting clients.
/// </summary>
public sealed class RegistrationRateLimitTests
{
    private static Task<TestHomeserver> StartAsync(Action<HomeserverOptions>? configure = null) => TestHomeserver.StartAsync("sqlite", o =>
    {
        o.RateLimits = new RateLimitsOptions();
        configure?.Invoke(o);
    });

    private static Task<HttpResponseMessage> ChallengeAsync(TestHomeserver hs) =>
        hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "u" + Guid.NewGuid().ToString("N")[..10], password = TestHomeserver.DefaultPassword });

    [Fact]
    public async Task ASpecFollowingClient_GetsTheWholeBurst_ThenA429WithRetryAfter()
    {
        await using var hs = await StartAsync();
        for (var i = 0; i < 3; i++)
            await hs.RegisterAsync();

        var limited = await ChallengeAsync(hs);
        var body = await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        var retryMs = body.GetProperty("retry_after_ms").GetInt64();
        Assert.InRange(retryMs, 1, 10_000);
        Assert.Equal((int)Math.Ceiling(retryMs / 1000.0), int.Parse(limited.Headers.GetValues("Retry-After").Single()));
    }

    [Fact]
    public async Task FailedStages_TakeATokenEach()
    {
        await using var hs = await StartAsync(o =>
        {
            o.Registration.RequireToken = true;
            o.Registration.Tokens = ["the right token"];
        });
        for (var i = 0; i < 3; i++)
        {
            var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
            {
                username = "guesser" + i, password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.registration_token", token = "guess " + i },
            });
            await res.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        }
        await (await ChallengeAsync(hs)).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task Challenges_AreLimitedByTheirOwnLargerBucket()
    {
        await using var hs = await StartAsync();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 31; i++)
            codes.Add((await ChallengeAsync(hs)).StatusCode);
        Assert.All(codes.Take(30), c => Assert.Equal(HttpStatusCode.Unauthorized, c));
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[30]);
    }
}
