using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Sso;

/// <summary>
/// Single sign-on through CAS as a browser and a client go through it: the redirect to the CAS server, the ticket the
/// CAS server vouches for, the login token in the client's redirect URL and its exchange at <c>/login</c>; and what an
/// attacker tries: forged or replayed tickets, replayed or stale login tokens, another user's UIA session.
/// </summary>
public sealed partial class CasLoginTests(CasFixture fixture) : IClassFixture<CasFixture>
{
    private const string ClientRedirect = "https://client.example.org/app?p=http%3A%2F%2Fserver#frag";

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    private static HttpClient Browser(TestHomeserver hs) =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hs.BaseAddress };

    /// <summary>The service URL the server sent the browser to the CAS server with.</summary>
    private static async Task<string> StartAsync(HttpClient browser, FakeCasServer cas, string path)
    {
        var res = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        var location = res.Headers.Location!.ToString();
        Assert.StartsWith(cas.ServerUrl + "/login?service=", location, StringComparison.Ordinal);
        return Uri.UnescapeDataString(location[(cas.ServerUrl + "/login?service=").Length..]);
    }

    /// <summary>The browser coming back from the CAS server to the service URL with a ticket.</summary>
    private static Task<HttpResponseMessage> ReturnAsync(HttpClient browser, string service, string ticket) =>
        browser.GetAsync(new Uri(service).PathAndQuery + "&ticket=" + Uri.EscapeDataString(ticket));

    /// <summary>Signs <paramref name="casUser"/> in through the browser; the URL the confirmation page continues to.</summary>
    private async Task<string> SignInAsync(TestHomeserver hs, string casUser, string attributes = "", string redirect = ClientRedirect)
    {
        var cas = await fixture.CasAsync();
        using var browser = Browser(hs);
        var service = await StartAsync(browser, cas, "/_matrix/client/v3/login/sso/redirect?redirectUrl=" + Uri.EscapeDataString(redirect));
        var page = await ReturnAsync(browser, service, cas.Issue(casUser, service, attributes));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return WebUtility.HtmlDecode(Href().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value);
    }

    private static string LoginTokenOf(string url) =>
        Regex.Match(url, "[?&]loginToken=([^&#]+)").Groups[1].Value is { Length: > 0 } token ? Uri.UnescapeDataString(token) : throw new InvalidOperationException($"no loginToken in {url}");

    private static Task<HttpResponseMessage> TokenLoginAsync(TestHomeserver hs, string token) =>
        hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.token", token });

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LoginFlows_ListSsoWithTheProvider_TheLegacyCasFlow_AndTokens(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var flows = (await (await hs.Client.GetAsync("/_matrix/client/v3/login")).AssertOkAsync()).GetProperty("flows").EnumerateArray().ToList();
        var sso = Assert.Single(flows, f => f.GetProperty("type").GetString() == "m.login.sso");
        var idp = Assert.Single(sso.GetProperty("identity_providers").EnumerateArray());
        Assert.Equal("cas", idp.GetProperty("id").GetString());
        Assert.Equal("CAS", idp.GetProperty("name").GetString());
        Assert.Contains(flows, f => f.GetProperty("type").GetString() == "m.login.cas");
        Assert.Contains(flows, f => f.GetProperty("type").GetString() == "m.login.token");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task FullFlow_CreatesTheAccount_KeepsTheRedirectUrl_AndTheTokenLogsInOnce(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var cas = await fixture.CasAsync();
        var casUser = Unique("Jane.Doe!");
        var target = await SignInAsync(hs, casUser, "<cas:name>Jane Doe</cas:name>");

        // The client's URL comes back whole, its query and fragment included, with the token added.
        Assert.StartsWith("https://client.example.org/app?p=http%3A%2F%2Fserver&loginToken=", target, StringComparison.Ordinal);
        Assert.EndsWith("#frag", target, StringComparison.Ordinal);
        var (ticket, service) = cas.Validations.Last();
        Assert.StartsWith("ST-", ticket, StringComparison.Ordinal);
        Assert.Contains("/_matrix/client/r0/login/cas/ticket?redirectUrl=", service, StringComparison.Ordinal);

        var expected = $"@{casUser.ToLowerInvariant().Replace("!", "=21", StringComparison.Ordinal)}:{TestHomeserver.ServerName}";
        var token = LoginTokenOf(target);
        var login = await (await TokenLoginAsync(hs, token)).AssertOkAsync();
        Assert.Equal(expected, login.GetProperty("user_id").GetString());
        using var client = hs.NewClient(login.GetProperty("access_token").GetString());
        Assert.Equal(expected, (await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync()).GetProperty("user_id").GetString());
        var profile = await (await client.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(expected)}/displayname")).AssertOkAsync();
        Assert.Equal("Jane Doe", profile.GetProperty("displayname").GetString());

        await (await TokenLoginAsync(hs, token)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // The same CAS user again is the same account.
        var again = await (await TokenLoginAsync(hs, LoginTokenOf(await SignInAsync(hs, casUser)))).AssertOkAsync();
        Assert.Equal(expected, again.GetProperty("user_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LoginToken_UsedConcurrently_LogsInExactlyOnce(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var token = LoginTokenOf(await SignInAsync(hs, Unique("racer")));
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => TokenLoginAsync(hs, token)));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.Forbidden, a.StatusCode));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LoginToken_ExpiresAfterTwoMinutes(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var token = LoginTokenOf(await SignInAsync(hs, Unique("slow")));
        var clock = fixture.Clocks[engine];
        clock.Offset += TimeSpan.FromMinutes(3);
        try
        {
            await (await TokenLoginAsync(hs, token)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        }
        finally
        {
            clock.Offset -= TimeSpan.FromMinutes(3);
        }
        await (await TokenLoginAsync(hs, "made-up-token")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ForgedReplayedOrMisdirectedTickets_AreRefused_WithoutALoginToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var cas = await fixture.CasAsync();
        using var browser = Browser(hs);
        var service = await StartAsync(browser, cas, "/_matrix/client/v3/login/sso/redirect/cas?redirectUrl=" + Uri.EscapeDataString(ClientRedirect));

        var forged = await ReturnAsync(browser, service, "ST-forged");
        await forged.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // A ticket the CAS server gave for another client's redirect URL does not log in to this one.
        var otherService = await StartAsync(browser, cas, "/_matrix/client/v3/login/cas/redirect?redirectUrl=" + Uri.EscapeDataString("https://attacker.example/"));
        var stolen = cas.Issue(Unique("victim"), otherService);
        await (await ReturnAsync(browser, service, stolen)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        var ticket = cas.Issue(Unique("once"), service);
        Assert.Equal(HttpStatusCode.OK, (await ReturnAsync(browser, service, ticket)).StatusCode);
        await (await ReturnAsync(browser, service, ticket)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Redirects_WithoutRedirectUrlOrToAnUnknownProvider_AreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var browser = Browser(hs);
        await (await browser.GetAsync("/_matrix/client/v3/login/sso/redirect")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await browser.GetAsync("/_matrix/client/v3/login/sso/redirect?redirectUrl=javascript%3Aalert(1)")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await browser.GetAsync("/_matrix/client/v3/login/sso/redirect/oidc?redirectUrl=" + Uri.EscapeDataString(ClientRedirect))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Uia_OffersSso_ToAnAccountWithAnSsoIdentity_AndTheFallbackCompletesTheStage(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var cas = await fixture.CasAsync();
        var user = await hs.RegisterAsync();
        var client = hs.ClientFor(user);
        var other = await hs.LoginAsync(user, "OTHER");

        // Before any SSO login the account is offered its password only.
        var challenge = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/_matrix/client/v3/devices/{other.DeviceId}") { Content = JsonContent.Create(new { }) });
        Assert.DoesNotContain("m.login.sso", await challenge.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The CAS user of the same name takes the account over as Synapse does, which records its SSO identity.
        await (await TokenLoginAsync(hs, LoginTokenOf(await SignInAsync(hs, user.Localpart)))).AssertOkAsync();

        var session = await ChallengeAsync(client, other.DeviceId);
        using var browser = Browser(hs);
        var service = await FallbackServiceAsync(browser, cas, session);
        Assert.EndsWith("?session=" + Uri.EscapeDataString(session), service, StringComparison.Ordinal);

        var done = await ReturnAsync(browser, service, cas.Issue(user.Localpart, service));
        Assert.Contains("authDone", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await (await DeleteDeviceAsync(client, other.DeviceId, session)).AssertOkAsync();
        await (await client.GetAsync($"/_matrix/client/v3/devices/{other.DeviceId}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Uia_SsoOfAnotherUser_DoesNotCompleteTheSession(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var cas = await fixture.CasAsync();
        var victim = await hs.RegisterAsync();
        var client = hs.ClientFor(victim);
        await (await TokenLoginAsync(hs, LoginTokenOf(await SignInAsync(hs, victim.Localpart)))).AssertOkAsync();
        var other = await hs.LoginAsync(victim, "KEEPME");
        var attacker = Unique("mallory");
        await (await TokenLoginAsync(hs, LoginTokenOf(await SignInAsync(hs, attacker)))).AssertOkAsync();

        var session = await ChallengeAsync(client, other.DeviceId);
        using var browser = Browser(hs);
        var service = await FallbackServiceAsync(browser, cas, session);
        var page = await ReturnAsync(browser, service, cas.Issue(attacker, service));
        Assert.DoesNotContain("authDone", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await (await DeleteDeviceAsync(client, other.DeviceId, session)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/_matrix/client/v3/devices/{other.DeviceId}")).StatusCode);
    }

    /// <summary>The fallback page of the SSO stage: the service URL its link sends the browser to the CAS server with.</summary>
    private static async Task<string> FallbackServiceAsync(HttpClient browser, FakeCasServer cas, string session)
    {
        var fallback = await browser.GetAsync($"/_matrix/client/v3/auth/m.login.sso/fallback/web?session={Uri.EscapeDataString(session)}");
        Assert.Equal(HttpStatusCode.OK, fallback.StatusCode);
        var loginUrl = WebUtility.HtmlDecode(Href().Match(await fallback.Content.ReadAsStringAsync()).Groups[1].Value);
        Assert.StartsWith(cas.ServerUrl + "/login?service=", loginUrl, StringComparison.Ordinal);
        return Uri.UnescapeDataString(loginUrl[(cas.ServerUrl + "/login?service=").Length..]);
    }

    /// <summary>Starts deleting a device; the UIA session, after checking SSO is offered.</summary>
    private static async Task<string> ChallengeAsync(HttpClient client, string deviceId)
    {
        var res = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/_matrix/client/v3/devices/{deviceId}") { Content = JsonContent.Create(new { }) });
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        var body = await res.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(body.GetProperty("flows").EnumerateArray(), f => f.GetProperty("stages")[0].GetString() == "m.login.sso");
        return body.GetProperty("session").GetString()!;
    }

    private static Task<HttpResponseMessage> DeleteDeviceAsync(HttpClient client, string deviceId, string session) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/_matrix/client/v3/devices/{deviceId}") { Content = JsonContent.Create(new { auth = new { session } }) });
}
