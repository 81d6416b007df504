using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>
/// A forgotten password reset by mail (<c>/account/password/email/requestToken</c>, then <c>POST /account/password</c>
/// without an access token and with UIA <c>m.login.email.identity</c>), and the ways someone could try to reset an
/// account whose mail they do not read.
/// </summary>
public sealed partial class PasswordResetTests(ThreepidFixture fixture) : IClassFixture<ThreepidFixture>
{
    private const string Secret = "reset.secret_0123456789";
    private const string NewPassword = "a brand new password";
    private const string RequestTokenPath = "/_matrix/client/v3/account/password/email/requestToken";
    private const string PasswordPath = "/_matrix/client/v3/account/password";

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();

    private static string NewAddress() => $"reset{Guid.NewGuid():N}@Example.org";

    /// <summary>Follows the link of the newest mail to the address, which must be number <paramref name="count"/>; its subject.</summary>
    private async Task<string> FollowMailAsync(TestHomeserver hs, string address, int count)
    {
        var mail = await fixture.Smtp.WaitForMailAsync(address, count);
        var link = new Uri(Link().Match(mail.TextBody ?? "").Value);
        (await hs.Client.GetAsync(link.PathAndQuery)).EnsureSuccessStatusCode();
        return mail.Subject ?? "";
    }

    /// <summary>A user with a second device and a proven address on the account.</summary>
    private async Task<(TestUser User, TestUser OtherDevice, string Address)> UserWithAddressAsync(TestHomeserver hs)
    {
        var (user, client) = await hs.RegisterClientAsync();
        var other = await hs.LoginAsync(user);
        var address = NewAddress();
        var sid = (await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/email/requestToken", new { client_secret = "add", email = address, send_attempt = 1 }))
            .AssertOkAsync()).GetProperty("sid").GetString()!;
        await FollowMailAsync(hs, address, 1);
        await (await client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/add", new
        {
            sid, client_secret = "add",
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.UserId }, password = user.Password },
        })).AssertOkAsync();
        return (user, other, address);
    }

    /// <summary>Asks for a reset mail for the address (mail number <paramref name="count"/> to it) and follows its link; the session ID.</summary>
    private async Task<string> ProveAsync(TestHomeserver hs, string address, int count, string secret = Secret)
    {
        var sid = (await (await hs.Client.PostAsJsonAsync(RequestTokenPath, new { client_secret = secret, email = address.ToUpperInvariant(), send_attempt = 1 }))
            .AssertOkAsync()).GetProperty("sid").GetString()!;
        Assert.Contains("Reset your password", await FollowMailAsync(hs, address, count), StringComparison.Ordinal);
        return sid;
    }

    private static Task<HttpResponseMessage> ResetAsync(HttpClient client, string sid, string secret = Secret, bool? logoutDevices = null, string password = NewPassword)
    {
        var auth = new { type = "m.login.email.identity", threepid_creds = new { sid, client_secret = secret } };
        return logoutDevices is { } logout
            ? client.PostAsJsonAsync(PasswordPath, new { new_password = password, logout_devices = logout, auth })
            : client.PostAsJsonAsync(PasswordPath, new { new_password = password, auth });
    }

    private static async Task<HttpStatusCode> LoginStatusAsync(TestHomeserver hs, TestUser user, string password) =>
        (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = user.UserId }, password,
        })).StatusCode;

    private static async Task<HttpStatusCode> WhoamiStatusAsync(TestHomeserver hs, TestUser device)
    {
        using var client = hs.NewClient(device.AccessToken);
        return (await client.GetAsync("/_matrix/client/v3/account/whoami")).StatusCode;
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task MailedProof_ResetsThePassword_LogsOutEveryDevice_AndCannotBeReplayed(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, other, address) = await UserWithAddressAsync(hs);

        // Without a token the only way offered is the mailed proof.
        var challenge = await hs.Client.PostAsJsonAsync(PasswordPath, new { new_password = NewPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        var flows = (await challenge.JsonAsync()).GetProperty("flows").EnumerateArray().Select(f => string.Join(",", f.GetProperty("stages").EnumerateArray().Select(s => s.GetString()))).ToList();
        Assert.Equal(["m.login.email.identity"], flows);

        var sid = await ProveAsync(hs, address, count: 2);
        await (await ResetAsync(hs.Client, sid)).AssertOkAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await LoginStatusAsync(hs, user, user.Password));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(hs, user, NewPassword));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoamiStatusAsync(hs, user));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoamiStatusAsync(hs, other));

        // The proof is spent: replaying it cannot set the password again.
        await (await ResetAsync(hs.Client, sid, password: "the attacker's password")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(hs, user, NewPassword));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LogoutDevicesFalse_KeepsEveryDevice(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, other, address) = await UserWithAddressAsync(hs);
        var sid = await ProveAsync(hs, address, count: 2);
        await (await ResetAsync(hs.Client, sid, logoutDevices: false)).AssertOkAsync();
        Assert.Equal(HttpStatusCode.OK, await WhoamiStatusAsync(hs, user));
        Assert.Equal(HttpStatusCode.OK, await WhoamiStatusAsync(hs, other));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(hs, user, NewPassword));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnAddressNoAccountHolds_GetsNoMail_AndItsProofResetsNothing(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var address = NewAddress();
        await (await hs.Client.PostAsJsonAsync(RequestTokenPath, new { client_secret = Secret, email = address, send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_NOT_FOUND");
        Assert.Empty(fixture.Smtp.MailTo(address));

        // A proof of the address obtained for a registration still names no account.
        var sid = (await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register/email/requestToken", new { client_secret = Secret, email = address, send_attempt = 1 }))
            .AssertOkAsync()).GetProperty("sid").GetString()!;
        await FollowMailAsync(hs, address, 1);
        await (await ResetAsync(hs.Client, sid)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        var (_, _, bound) = await UserWithAddressAsync(hs);
        await (await hs.Client.PostAsJsonAsync(RequestTokenPath, new { client_secret = Secret, email = bound, send_attempt = 1, next_link = "file:///etc/passwd" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.PostAsJsonAsync(RequestTokenPath, new { client_secret = "bad secret!", email = bound, send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        Assert.Single(fixture.Smtp.MailTo(bound));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RepeatedRequest_AnswersTheSameSession_AndAnotherSecretOrUnvalidatedSessionIsRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, _, address) = await UserWithAddressAsync(hs);
        var first = (await (await hs.Client.PostAsJsonAsync(RequestTokenPath, new { client_secret = Secret, email = address, send_attempt = 1 })).AssertOkAsync())
            .GetProperty("sid").GetString();
        var again = (await (await hs.Client.PostAsJsonAsync(RequestTokenPath, new { client_secret = Secret, email = address, send_attempt = 1 })).AssertOkAsync())
            .GetProperty("sid").GetString();
        Assert.Equal(first, again);
        await fixture.Smtp.WaitForMailAsync(address, 2);
        Assert.Equal(2, fixture.Smtp.MailTo(address).Count);

        // Not yet validated: the link has not been followed.
        await (await ResetAsync(hs.Client, first!)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        var sid = await ProveAsync(hs, address, count: 3, secret: "another.secret");
        // Someone who learnt the session ID but not its client secret, or who holds another session's secret.
        await (await ResetAsync(hs.Client, sid, secret: "guessed")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        await (await ResetAsync(hs.Client, sid, secret: Secret)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(hs, user, user.Password));
        await (await ResetAsync(hs.Client, sid, secret: "another.secret")).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ProofOfOnesOwnAddress_CannotResetAnotherAccount_NorCanAPasswordStageWithoutAToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, _, aliceAddress) = await UserWithAddressAsync(hs);
        var (bob, bobClient) = await hs.RegisterClientAsync();
        var sid = await ProveAsync(hs, aliceAddress, count: 2);

        // With Bob's token the only stage is Bob's password: Alice's proof is not a way in.
        await (await ResetAsync(bobClient, sid)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNRECOGNIZED");
        // Without a token, a password stage (even the right password of the account named) is not offered.
        await (await hs.Client.PostAsJsonAsync(PasswordPath, new
        {
            new_password = NewPassword,
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = bob.UserId }, password = bob.Password },
        })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNRECOGNIZED");
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(hs, bob, bob.Password));

        // Naming Bob beside Alice's proof changes nothing: the proof resets the account of the address.
        await (await hs.Client.PostAsJsonAsync(PasswordPath, new
        {
            new_password = NewPassword, user = bob.UserId,
            auth = new { type = "m.login.email.identity", identifier = new { type = "m.id.user", user = bob.UserId }, threepid_creds = new { sid, client_secret = Secret } },
        })).AssertOkAsync();
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(hs, bob, bob.Password));
        Assert.Equal(HttpStatusCode.Forbidden, await LoginStatusAsync(hs, bob, NewPassword));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(hs, alice, NewPassword));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ABadTokenOrAGuest_IsRefused_AndTheChangeWithATokenStillAsksForThePassword(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var badToken = hs.NewClient("not-a-token");
        await (await badToken.PostAsJsonAsync(PasswordPath, new { new_password = NewPassword })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");

        var guest = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register?kind=guest", new { })).AssertOkAsync();
        using var guestClient = hs.NewClient(guest.GetProperty("access_token").GetString());
        await (await guestClient.PostAsJsonAsync(PasswordPath, new { new_password = NewPassword })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_GUEST_ACCESS_FORBIDDEN");

        var (user, client) = await hs.RegisterClientAsync();
        var other = await hs.LoginAsync(user);
        var challenge = await (await client.PostAsJsonAsync(PasswordPath, new { new_password = NewPassword })).JsonAsync();
        Assert.Equal("m.login.password", challenge.GetProperty("flows")[0].GetProperty("stages")[0].GetString());
        await (await client.PostAsJsonAsync(PasswordPath, new
        {
            new_password = NewPassword,
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.UserId }, password = user.Password },
        })).AssertOkAsync();
        // The requester's own device stays; the others are logged out.
        Assert.Equal(HttpStatusCode.OK, await WhoamiStatusAsync(hs, user));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoamiStatusAsync(hs, other));
    }
}
