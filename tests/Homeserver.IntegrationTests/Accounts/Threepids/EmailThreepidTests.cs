using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>
/// Email addresses proven by mail: registering with one (UIA <c>m.login.email.identity</c>), adding one to an account,
/// logging in with it, and the ways a stranger could try to take an address that is not theirs.
/// </summary>
public sealed partial class EmailThreepidTests(ThreepidFixture fixture) : IClassFixture<ThreepidFixture>
{
    private const string Secret = "secret.0123456789_-=";

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();

    private static string NewAddress() => $"user{Guid.NewGuid():N}@Example.org";

    private static async Task<string> RequestTokenAsync(HttpClient client, string path, string address, int attempt = 1, string secret = Secret) =>
        (await (await client.PostAsJsonAsync(path, new { client_secret = secret, email = address, send_attempt = attempt })).AssertOkAsync())
            .GetProperty("sid").GetString()!;

    /// <summary>The link of the <paramref name="count"/>th mail to the address, as a path and query on the server under test.</summary>
    private async Task<string> MailedLinkAsync(string address, int count = 1)
    {
        var mail = await fixture.Smtp.WaitForMailAsync(address, count);
        var link = new Uri(Link().Match(mail.TextBody ?? "").Value);
        return link.PathAndQuery;
    }

    /// <summary>Asks for a token for an address on an account and follows the mailed link; the session ID.</summary>
    private async Task<string> ValidateForAccountAsync(TestHomeserver hs, string address, string secret = Secret)
    {
        var mailNumber = fixture.Smtp.MailTo(address).Count + 1;
        var sid = await RequestTokenAsync(hs.Client, "/_matrix/client/v3/account/3pid/email/requestToken", address, secret: secret);
        await FollowAsync(hs, await MailedLinkAsync(address, mailNumber));
        return sid;
    }

    private static async Task FollowAsync(TestHomeserver hs, string link)
    {
        var res = await hs.Client.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Contains("validated", await res.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> AddAsync(HttpClient client, TestUser user, string sid, string secret = Secret) =>
        client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/add", new
        {
            sid, client_secret = secret,
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.UserId }, password = user.Password },
        });

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RegisteringWithAMailedLink_GivesTheAccountItsAddress_AndLoginByAddressWorks(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var address = NewAddress();
        var localpart = "mail" + Guid.NewGuid().ToString("N")[..10];
        var challenge = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = localpart, password = "a fine password" });
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        var uia = await challenge.JsonAsync();
        Assert.Contains(uia.GetProperty("flows").EnumerateArray(), f => f.GetProperty("stages").EnumerateArray().Select(s => s.GetString()).SequenceEqual(["m.login.email.identity"]));

        var sid = await RequestTokenAsync(hs.Client, "/_matrix/client/v3/register/email/requestToken", address);
        var mail = await fixture.Smtp.WaitForMailAsync(address);
        Assert.Equal("noreply@example.org", mail.From.Mailboxes.Single().Address);
        var register = new
        {
            username = localpart, password = "a fine password",
            auth = new { type = "m.login.email.identity", session = uia.GetProperty("session").GetString(), threepid_creds = new { sid, client_secret = Secret } },
        };
        // Before the link is followed the stage fails.
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", register)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        await FollowAsync(hs, await MailedLinkAsync(address));
        var created = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", register)).AssertOkAsync();
        var userId = created.GetProperty("user_id").GetString()!;

        using var client = hs.NewClient(created.GetProperty("access_token").GetString());
        var listed = Assert.Single((await (await client.GetAsync("/_matrix/client/v3/account/3pid")).AssertOkAsync()).GetProperty("threepids").EnumerateArray());
        Assert.Equal("email", listed.GetProperty("medium").GetString());
        Assert.Equal(address.ToLowerInvariant(), listed.GetProperty("address").GetString());

        var login = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.thirdparty", medium = "email", address = address.ToUpperInvariant() }, password = "a fine password",
        })).AssertOkAsync();
        Assert.Equal(userId, login.GetProperty("user_id").GetString());
        var legacy = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", medium = "email", address, password = "a fine password" })).AssertOkAsync();
        Assert.Equal(userId, legacy.GetProperty("user_id").GetString());
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.thirdparty", medium = "email", address }, password = "not the password",
        })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.thirdparty", medium = "email", address = NewAddress() }, password = "a fine password",
        })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // The address is taken now: another registration cannot even ask for a token for it.
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register/email/requestToken", new { client_secret = "other", email = address, send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_IN_USE");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RepeatedSendAttempt_ReturnsTheSameSession_WithoutASecondMail(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var address = NewAddress();
        var sid = await RequestTokenAsync(hs.Client, "/_matrix/client/v3/account/3pid/email/requestToken", address);
        await fixture.Smtp.WaitForMailAsync(address);
        Assert.Equal(sid, await RequestTokenAsync(hs.Client, "/_matrix/client/v3/account/3pid/email/requestToken", address));
        var next = await RequestTokenAsync(hs.Client, "/_matrix/client/v3/account/3pid/email/requestToken", address, attempt: 2);
        Assert.NotEqual(sid, next);
        await fixture.Smtp.WaitForMailAsync(address, 2);
        Assert.Equal(2, fixture.Smtp.MailTo(address).Count);

        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/email/requestToken", new { client_secret = "bad secret!", email = address, send_attempt = 3 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/email/requestToken", new { client_secret = Secret, email = "not an address", send_attempt = 3 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GuessedTokens_FailAndKillTheSession_AndAnotherClientsSessionCannotBeSpent(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var address = NewAddress();
        var sid = await RequestTokenAsync(hs.Client, "/_matrix/client/v3/account/3pid/email/requestToken", address);
        var link = await MailedLinkAsync(address);
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(hs.BaseAddress, link).Query);
        var submit = "/_matrix/client/unstable/email/submit_token";

        // The right token with someone else's idea of the client secret fails.
        await (await hs.Client.PostAsJsonAsync(submit, new { sid, client_secret = "guess", token = query["token"] })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_AUTH_FAILED");
        for (var i = 0; i < 5; i++)
            await (await hs.Client.PostAsJsonAsync(submit, new { sid, client_secret = Secret, token = $"guess{i}" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_AUTH_FAILED");
        // Five wrong guesses later even the mailed token is refused.
        await (await hs.Client.GetAsync(link)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_AUTH_FAILED");

        var (victim, victimClient) = await hs.RegisterClientAsync();
        var (attacker, attackerClient) = await hs.RegisterClientAsync();
        var victimSid = await ValidateForAccountAsync(hs, NewAddress());
        // The attacker knows the session ID but not the client secret.
        await (await AddAsync(attackerClient, attacker, victimSid, "wrong-secret")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_AUTH_FAILED");
        await (await AddAsync(victimClient, victim, victimSid)).AssertOkAsync();
        // A spent session cannot add the address again, to anyone.
        await (await AddAsync(victimClient, victim, victimSid)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_AUTH_FAILED");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AddingAnAddressAnotherAccountHolds_IsRefused_AndDeleteFreesIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, aliceClient) = await hs.RegisterClientAsync();
        var (bob, bobClient) = await hs.RegisterClientAsync();
        var address = NewAddress();
        var aliceSid = await ValidateForAccountAsync(hs, address, "alice-secret");
        var bobSid = await ValidateForAccountAsync(hs, address, "bob-secret");
        await (await AddAsync(aliceClient, alice, aliceSid, "alice-secret")).AssertOkAsync();
        await (await AddAsync(bobClient, bob, bobSid, "bob-secret")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_IN_USE");
        Assert.Empty((await (await bobClient.GetAsync("/_matrix/client/v3/account/3pid")).AssertOkAsync()).GetProperty("threepids").EnumerateArray());

        // Adding needs the password (UIA).
        var noAuth = await bobClient.PostAsJsonAsync("/_matrix/client/v3/account/3pid/add", new { sid = bobSid, client_secret = "bob-secret" });
        Assert.Equal(HttpStatusCode.Unauthorized, noAuth.StatusCode);

        var deleted = await (await aliceClient.PostAsJsonAsync("/_matrix/client/v3/account/3pid/delete", new { medium = "email", address })).AssertOkAsync();
        Assert.Equal("success", deleted.GetProperty("id_server_unbind_result").GetString());
        Assert.Empty((await (await aliceClient.GetAsync("/_matrix/client/v3/account/3pid")).AssertOkAsync()).GetProperty("threepids").EnumerateArray());
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", medium = "email", address, password = alice.Password }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
