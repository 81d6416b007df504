using System.Net;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

public sealed class WhoisTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Whois_OfOneself_ListsEachDeviceWithItsLastConnection_AndOfOthersNeedsAnAdmin(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        await (await a.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();

        var whois = await (await a.GetAsync($"/_matrix/client/v3/admin/whois/{Uri.EscapeDataString(alice.UserId)}")).AssertOkAsync();
        Assert.Equal(alice.UserId, whois.GetProperty("user_id").GetString());
        var device = whois.GetProperty("devices").GetProperty(alice.DeviceId);
        var connection = Assert.Single(device.GetProperty("sessions")[0].GetProperty("connections").EnumerateArray());
        Assert.Equal("127.0.0.1", connection.GetProperty("ip").GetString());
        Assert.True(connection.GetProperty("last_seen").GetInt64() > 0);
        Assert.True(connection.TryGetProperty("user_agent", out _));

        await (await b.GetAsync($"/_matrix/client/v3/admin/whois/{Uri.EscapeDataString(alice.UserId)}")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.GetAsync("/_matrix/client/v3/admin/whois/not-a-user")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
