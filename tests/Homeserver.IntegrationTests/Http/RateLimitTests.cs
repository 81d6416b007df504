using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Http;

/// <summary>Rate limits at Synapse's defaults (checklist rows 13, 14, 59).</summary>
public sealed class RateLimitTests
{
    private static Task<TestHomeserver> StartLimitedAsync() =>
        TestHomeserver.StartAsync("sqlite", o => o.RateLimits = new Homeserver.Core.Configuration.RateLimitsOptions());

    [Fact]
    public async Task Registration_PastBurst_Is429WithRetryAfter()
    {
        await using var hs = await StartLimitedAsync();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6; i++)
        {
            var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = $"burst{i}", password = TestHomeserver.DefaultPassword });
            statuses.Add(res.StatusCode);
            if (res.StatusCode == HttpStatusCode.TooManyRequests)
                limited ??= res;
        }
        // Burst 3: the first three get their UIA challenge, later ones are limited.
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        var body = await limited!.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        var retryMs = body.GetProperty("retry_after_ms").GetInt64();
        Assert.InRange(retryMs, 1, 10_000);
        var header = int.Parse(limited!.Headers.GetValues("Retry-After").Single());
        Assert.Equal((int)Math.Ceiling(retryMs / 1000.0), header);
    }

    [Fact]
    public async Task Login_FailedAttemptsOnOneAccount_AreLimitedWhateverTheAddress()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o =>
        {
            o.RateLimits = new Homeserver.Core.Configuration.RateLimitsOptions();
            // Address-based login limiting out of the way, so only the per-account counter can trip.
            o.RateLimits.Login = new() { PerSecond = 100, BurstCount = 100 };
            o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
        });
        var user = await hs.RegisterAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
            {
                type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = "wrong guess " + i,
            });
            statuses.Add(res.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // Another account is not affected.
        var other = await hs.RegisterAsync();
        await hs.LoginAsync(other);
    }

    [Fact]
    public async Task Send_PastMessageBurst_Is429PerAccount()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o =>
        {
            o.RateLimits = new Homeserver.Core.Configuration.RateLimitsOptions();
            o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
        });
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = (await (await a.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })).AssertOkAsync()).GetProperty("room_id").GetString();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
            codes.Add((await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t{i}", new { body = "x" })).StatusCode);
        Assert.All(codes.Take(10), c => Assert.Equal(HttpStatusCode.OK, c));
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[11]);
        // Another account has its own bucket.
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var own = (await (await b.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })).AssertOkAsync()).GetProperty("room_id").GetString();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{own}/send/m.room.message/t0", new { body = "x" })).AssertOkAsync();
    }

    [Fact]
    public async Task Login_PerAddress_IsLimitedAfterBurst()
    {
        await using var hs = await StartLimitedAsync();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
            codes.Add((await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", user = "u" + i, password = "x" })).StatusCode);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, codes.Take(5));
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[6]);
    }
}
