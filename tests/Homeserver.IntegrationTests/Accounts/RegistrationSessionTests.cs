using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

/// <summary>
/// What a registration's UIA session remembers, as in Synapse: the first request's parameters and password (hashed),
/// so a later stage may send only the session; and the user it registered, so repeating the request is idempotent.
/// </summary>
public sealed class RegistrationSessionTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string Register = "/_matrix/client/v3/register";

    private static async Task<string> ChallengeAsync(HttpClient c, object body)
    {
        var challenge = await c.PostAsJsonAsync(Register, body);
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        return (await challenge.JsonAsync()).GetProperty("session").GetString()!;
    }

    private static object Dummy(string session) => new { auth = new { type = "m.login.dummy", session } };

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_RemembersTheFirstRequestsParameters_AndItsNonAsciiPassword(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var localpart = "remember" + Guid.NewGuid().ToString("N")[..8];
        const string password = "übers3kr1t ✓";
        var session = await ChallengeAsync(hs.Client, new { username = localpart, password, device_id = "XYZZY", initial_device_display_name = "display name" });

        var done = await (await hs.Client.PostAsJsonAsync(Register, Dummy(session))).AssertOkAsync();
        Assert.Equal($"@{localpart}:{TestHomeserver.ServerName}", done.GetProperty("user_id").GetString());
        Assert.Equal("XYZZY", done.GetProperty("device_id").GetString());
        using var client = hs.NewClient(done.GetProperty("access_token").GetString());
        var device = await (await client.GetAsync("/_matrix/client/v3/devices/XYZZY")).AssertOkAsync();
        Assert.Equal("display name", device.GetProperty("display_name").GetString());

        // The remembered password is the one given, and another is not taken for it.
        var user = new TestUser(done.GetProperty("user_id").GetString()!, localpart, password, "", "");
        await hs.LoginAsync(user);
        await Assert.ThrowsAsync<InvalidOperationException>(() => hs.LoginAsync(user with { Password = "ubers3kr1t ✓" }));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_RepeatedWithTheSameSession_AnswersWithTheSameUser_AndANewLogin(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var localpart = "again" + Guid.NewGuid().ToString("N")[..8];
        var session = await ChallengeAsync(hs.Client, new { username = localpart, password = TestHomeserver.DefaultPassword });
        var body = new { username = localpart, password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.dummy", session } };

        var first = await (await hs.Client.PostAsJsonAsync(Register, body)).AssertOkAsync();
        var second = await (await hs.Client.PostAsJsonAsync(Register, body)).AssertOkAsync();
        Assert.Equal(first.GetProperty("user_id").GetString(), second.GetProperty("user_id").GetString());
        Assert.NotEqual(first.GetProperty("access_token").GetString(), second.GetProperty("access_token").GetString());
        using var client = hs.NewClient(second.GetProperty("access_token").GetString());
        var whoami = await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        Assert.Equal(first.GetProperty("user_id").GetString(), whoami.GetProperty("user_id").GetString());

        // Without a username the session still answers with the user it generated.
        var anonymous = await ChallengeAsync(hs.Client, new { password = TestHomeserver.DefaultPassword });
        var generated = await (await hs.Client.PostAsJsonAsync(Register, new { password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.dummy", session = anonymous } })).AssertOkAsync();
        var repeated = await (await hs.Client.PostAsJsonAsync(Register, new { password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.dummy", session = anonymous } })).AssertOkAsync();
        Assert.Equal(generated.GetProperty("user_id").GetString(), repeated.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Register_RememberedInhibitLogin_GivesNoTokenNorDevice()
    {
        var hs = await fixture.GetAsync("sqlite");
        var localpart = "inhibit" + Guid.NewGuid().ToString("N")[..8];
        var session = await ChallengeAsync(hs.Client, new { username = localpart, password = TestHomeserver.DefaultPassword, inhibit_login = true });
        var done = await (await hs.Client.PostAsJsonAsync(Register, Dummy(session))).AssertOkAsync();
        Assert.Equal($"@{localpart}:{TestHomeserver.ServerName}", done.GetProperty("user_id").GetString());
        Assert.False(done.TryGetProperty("access_token", out _));
        Assert.False(done.TryGetProperty("device_id", out _));
    }

    [Fact]
    public async Task Register_SessionWithoutAPassword_OrAnUnknownSession_IsRefused_AndAnotherSessionCannotTakeTheUser()
    {
        var hs = await fixture.GetAsync("sqlite");
        var localpart = "nopass" + Guid.NewGuid().ToString("N")[..8];
        var session = await ChallengeAsync(hs.Client, new { username = localpart });
        await (await hs.Client.PostAsJsonAsync(Register, Dummy(session))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await hs.Client.PostAsJsonAsync(Register, Dummy("no-such-session"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");

        // A completed session answers only for its own user: someone else's session cannot log in as them.
        var owner = await hs.RegisterAsync();
        var other = await ChallengeAsync(hs.Client, new { });
        var taken = await hs.Client.PostAsJsonAsync(Register, new { username = owner.Localpart, password = "guessing", auth = new { type = "m.login.dummy", session = other } });
        await taken.AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
    }
}
