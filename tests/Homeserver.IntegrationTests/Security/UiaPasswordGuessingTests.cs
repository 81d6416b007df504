using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 6: password stages of user-interactive auth had no failed-attempt limit. They now count
/// against the same per-account failed-login limit as <c>/login</c>, and once it is used up a password is
/// refused with 429 before it is checked, even the right one.
/// </summary>
public sealed class UiaPasswordGuessingTests
{
    private static Task<TestHomeserver> StartAsync() => TestHomeserver.StartAsync("sqlite", o =>
    {
        o.RateLimits = new RateLimitsOptions();
        // Only the per-account failed-attempt counter (burst 3) may trip.
        o.RateLimits.Login = new() { PerSecond = 100, BurstCount = 100 };
        o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
    });

    private static object PasswordAuth(TestUser user, string password) =>
        new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password };

    private static Task<HttpResponseMessage> UiaRequestAsync(HttpClient client, string endpoint, TestUser user, string password) => endpoint switch
    {
        "account/password" => client.PostAsJsonAsync("/_matrix/client/v3/account/password", new { new_password = "another good password", auth = PasswordAuth(user, password) }),
        "account/deactivate" => client.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new { auth = PasswordAuth(user, password) }),
        "delete_devices" => client.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new { devices = new[] { "NOSUCHDEVICE" }, auth = PasswordAuth(user, password) }),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    [Theory]
    [InlineData("account/password")]
    [InlineData("account/deactivate")]
    [InlineData("delete_devices")]
    public async Task WrongPasswords_PastTheFailedAttemptBurst_Are429_EvenTheRightOne(string endpoint)
    {
        await using var hs = await StartAsync();
        var (user, client) = await hs.RegisterClientAsync();
        for (var i = 0; i < 3; i++)
            await (await UiaRequestAsync(client, endpoint, user, "wrong guess " + i)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");

        var limited = await UiaRequestAsync(client, endpoint, user, "wrong guess 3");
        var body = await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        Assert.True(body.GetProperty("retry_after_ms").GetInt64() > 0);
        Assert.True(limited.Headers.Contains("Retry-After"));
        await (await UiaRequestAsync(client, endpoint, user, user.Password)).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task UiaGuesses_UseUpTheSameBudgetAsLogin()
    {
        await using var hs = await StartAsync();
        var (user, client) = await hs.RegisterClientAsync();
        for (var i = 0; i < 3; i++)
            await (await UiaRequestAsync(client, "account/password", user, "wrong guess " + i)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");

        var login = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password,
        });
        await login.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");

        // Another account keeps its own budget.
        var (other, otherClient) = await hs.RegisterClientAsync();
        await (await UiaRequestAsync(otherClient, "account/password", other, other.Password)).AssertOkAsync();
    }

    [Fact]
    public async Task LoginGuesses_UseUpTheBudgetOfUiaPasswordStages()
    {
        await using var hs = await StartAsync();
        var (user, client) = await hs.RegisterClientAsync();
        for (var i = 0; i < 3; i++)
        {
            var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
            {
                type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = "wrong guess " + i,
            });
            await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        }
        await (await UiaRequestAsync(client, "account/deactivate", user, user.Password)).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
    }
}
