using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>Without an SMTP server configured, email is refused in Matrix shape, registration offers no email stage and no password is reset.</summary>
public sealed class ThreepidsDisabledTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EmailRequests_AreDenied_AndRegistrationOffersNoEmailStage(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        foreach (var path in new[] { "/_matrix/client/v3/register/email/requestToken", "/_matrix/client/v3/account/3pid/email/requestToken", "/_matrix/client/v3/account/password/email/requestToken" })
            await (await hs.Client.PostAsJsonAsync(path, new { client_secret = "secret", email = "someone@example.org", send_attempt = 1 }))
                .AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_DENIED");
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { })).JsonAsync();
        Assert.DoesNotContain(challenge.GetProperty("flows").EnumerateArray().SelectMany(f => f.GetProperty("stages").EnumerateArray()), s => s.GetString() == "m.login.email.identity");
        // No identity server texts tokens to phone numbers: each request is refused as Synapse refuses it.
        var number = new { client_secret = "secret", country = "GB", phone_number = "07700900123", send_attempt = 1 };
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register/msisdn/requestToken", number)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/msisdn/requestToken", number)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_MEDIUM_NOT_SUPPORTED");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/password/msisdn/requestToken", number)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_MEDIUM_NOT_SUPPORTED");
        // No mail, so no reset: changing a password needs the access token of the account.
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/password", new { new_password = "a brand new password" }))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }
}
