using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

public sealed class UserReportAdminTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserReportsFiledByClients_AreListedFilteredAndDeleted(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var (mallory, _) = await hs.RegisterClientAsync();
        string Report(string userId) => $"/_matrix/client/v3/users/{Uri.EscapeDataString(userId)}/report";

        await (await a.PostAsJsonAsync(Report(mallory.UserId), new { reason = "spam" })).AssertOkAsync();
        await (await b.PostAsJsonAsync(Report(mallory.UserId), new { reason = "" })).AssertOkAsync();
        await (await a.PostAsJsonAsync(Report(bob.UserId), new { reason = "rude" })).AssertOkAsync();
        await (await a.PostAsJsonAsync(Report($"@nobody:{TestHomeserver.ServerName}"), new { reason = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.PostAsJsonAsync(Report(bob.UserId), new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await a.PostAsJsonAsync(Report("not-a-user"), new { reason = "x" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");

        var aboutMallory = await (await admin.GetAsync($"/_synapse/admin/v1/user_reports?target_user_id={Uri.EscapeDataString(mallory.UserId)}&limit=1")).AssertOkAsync();
        Assert.Equal(2, aboutMallory.GetProperty("total").GetInt32());
        Assert.Equal(1, aboutMallory.GetProperty("next_token").GetInt32());
        var newest = aboutMallory.GetProperty("user_reports")[0];
        Assert.Equal(bob.UserId, newest.GetProperty("user_id").GetString());
        Assert.Equal(mallory.UserId, newest.GetProperty("target_user_id").GetString());
        Assert.Equal("", newest.GetProperty("reason").GetString());
        Assert.True(newest.GetProperty("received_ts").GetInt64() > 0);

        var byAlice = await (await admin.GetAsync($"/_synapse/admin/v1/user_reports?user_id={Uri.EscapeDataString(alice.UserId)}&dir=f")).AssertOkAsync();
        Assert.Equal(["spam", "rude"], byAlice.GetProperty("user_reports").EnumerateArray().Select(r => r.GetProperty("reason").GetString()));
        Assert.False(byAlice.TryGetProperty("next_token", out _));

        var id = newest.GetProperty("id").GetInt64();
        Assert.Equal(mallory.UserId, (await (await admin.GetAsync($"/_synapse/admin/v1/user_reports/{id}")).AssertOkAsync()).GetProperty("target_user_id").GetString());
        await (await admin.DeleteAsync($"/_synapse/admin/v1/user_reports/{id}")).AssertOkAsync();
        await (await admin.GetAsync($"/_synapse/admin/v1/user_reports/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync("/_synapse/admin/v1/user_reports/x1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync("/_synapse/admin/v1/user_reports?from=-1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetAsync("/_synapse/admin/v1/user_reports")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
