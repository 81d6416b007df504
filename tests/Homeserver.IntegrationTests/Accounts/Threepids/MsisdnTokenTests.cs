using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>
/// Phone numbers: this server texts nothing, so <c>.../msisdn/requestToken</c> goes to the identity server configured as
/// <c>account_threepid_delegates.msisdn</c> (here the <see cref="FakeIdentityServer"/>), after the number is checked.
/// </summary>
public sealed class MsisdnTokenTests(ThreepidFixture fixture) : IClassFixture<ThreepidFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RequestToken_IsPassedToTheDelegate_UnlessTheNumberIsTakenOrForAReset(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        foreach (var path in new[] { "/_matrix/client/v3/register/msisdn/requestToken", "/_matrix/client/r0/account/3pid/msisdn/requestToken" })
        {
            var secret = "msisdn-" + Guid.NewGuid().ToString("N");
            var answer = await (await hs.Client.PostAsJsonAsync(path, new { client_secret = secret, country = "gb", phone_number = "07700 900456", send_attempt = 2 }))
                .AssertOkAsync();
            Assert.StartsWith("msisdn-session-", answer.GetProperty("sid").GetString(), StringComparison.Ordinal);
            var forwarded = Assert.Single(identity.MsisdnTokenRequests, r => r["client_secret"]!.GetValue<string>() == secret);
            Assert.Equal("07700 900456", forwarded["phone_number"]!.GetValue<string>());
            Assert.Equal("gb", forwarded["country"]!.GetValue<string>());
            Assert.Equal(2, forwarded["send_attempt"]!.GetValue<long>());
        }

        // A number an account holds (given by an admin, in E.164 digits) is refused before any text is asked for.
        var (_, adminClient) = await hs.RegisterAdminAsync();
        var (holder, _) = await hs.RegisterClientAsync();
        await (await adminClient.PutAsJsonAsync("/_synapse/admin/v2/users/" + Uri.EscapeDataString(holder.UserId), new
        {
            threepids = new[] { new { medium = "msisdn", address = "447700900123" } },
        })).AssertOkAsync();
        var before = identity.MsisdnTokenRequests.Count;
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/msisdn/requestToken", new { client_secret = "taken", country = "GB", phone_number = "07700900123", send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_IN_USE");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register/msisdn/requestToken", new { client_secret = "taken", country = "US", phone_number = "+44 7700 900123", send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_IN_USE");
        // No stage of POST /account/password takes a phone number, even one an account holds.
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/password/msisdn/requestToken", new { client_secret = "reset", country = "GB", phone_number = "07700900123", send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_THREEPID_MEDIUM_NOT_SUPPORTED");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/msisdn/requestToken", new { client_secret = "bad", country = "GB", phone_number = "not a number", send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/msisdn/requestToken", new { client_secret = "bad secret!", country = "GB", phone_number = "07700900789", send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/account/3pid/msisdn/requestToken", new { client_secret = "missing", send_attempt = 1 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        Assert.Equal(before, identity.MsisdnTokenRequests.Count);
    }
}
