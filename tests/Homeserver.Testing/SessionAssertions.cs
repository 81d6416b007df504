using System.Net;
using Xunit;

namespace Homeserver.Testing;

/// <summary>Checks of a user's session through whoami and the devices list, shared by the account tests.</summary>
public static class SessionAssertions
{
    private const string Whoami = "/_matrix/client/v3/account/whoami";

    public static async Task AssertTokenWorksAsync(this TestHomeserver hs, TestUser user)
    {
        using var c = hs.ClientFor(user);
        var who = await (await c.GetAsync(Whoami)).AssertOkAsync();
        Assert.Equal(user.UserId, who.GetProperty("user_id").GetString());
        Assert.Equal(user.DeviceId, who.GetProperty("device_id").GetString());
    }

    /// <summary>The token is refused for good: <c>M_UNKNOWN_TOKEN</c> without <c>soft_logout</c>, which would tell a client to keep its state.</summary>
    public static async Task AssertTokenRevokedAsync(this TestHomeserver hs, TestUser user)
    {
        using var c = hs.ClientFor(user);
        var body = await (await c.GetAsync(Whoami)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        Assert.False(body.TryGetProperty("soft_logout", out var soft) && soft.GetBoolean());
    }

    /// <summary>The 401 that asks for the password stage and nothing else yet; returns the UIA session.</summary>
    public static async Task<string> AssertPasswordChallengeAsync(this HttpResponseMessage res)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        var body = await res.JsonAsync();
        var flows = body.GetProperty("flows").EnumerateArray().ToList();
        Assert.Single(flows);
        Assert.Equal(["m.login.password"], flows[0].GetProperty("stages").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Object, body.GetProperty("params").ValueKind);
        Assert.Empty(body.GetProperty("completed").EnumerateArray());
        Assert.False(body.TryGetProperty("errcode", out _));
        var session = body.GetProperty("session").GetString();
        Assert.False(string.IsNullOrEmpty(session));
        return session!;
    }

    public static async Task<List<string>> DeviceIdsAsync(this HttpClient client) =>
        (await (await client.GetAsync("/_matrix/client/v3/devices")).AssertOkAsync())
            .GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("device_id").GetString()!).ToList();
}
