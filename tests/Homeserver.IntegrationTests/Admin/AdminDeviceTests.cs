using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Synapse's admin API for an account's devices, sessions, rooms and data.</summary>
public sealed class AdminDeviceTests(AdminServersFixture fixture) : IClassFixture<AdminServersFixture>
{
    private static string Devices(string userId) => $"/_synapse/admin/v2/users/{Uri.EscapeDataString(userId)}/devices";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Devices_ListShowRenameCreateAndDelete(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();

        var list = await (await admin.GetAsync(Devices(alice.UserId) + "?from=0&limit=10&order_by=name")).AssertOkAsync();
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        var device = list.GetProperty("devices")[0];
        Assert.Equal(alice.DeviceId, device.GetProperty("device_id").GetString());
        Assert.Equal(alice.UserId, device.GetProperty("user_id").GetString());
        Assert.True(device.TryGetProperty("last_seen_ts", out _));

        await (await admin.PutAsJsonAsync($"{Devices(alice.UserId)}/{alice.DeviceId}", new { display_name = "Renamed by admin" })).AssertOkAsync();
        var one = await (await admin.GetAsync($"{Devices(alice.UserId)}/{alice.DeviceId}")).AssertOkAsync();
        Assert.Equal("Renamed by admin", one.GetProperty("display_name").GetString());
        var own = await (await a.GetAsync($"/_matrix/client/v3/devices/{alice.DeviceId}")).AssertOkAsync();
        Assert.Equal("Renamed by admin", own.GetProperty("display_name").GetString());

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(Devices(alice.UserId), new { device_id = "ADMINMADE" })).StatusCode);
        Assert.Equal(2, (await (await admin.GetAsync(Devices(alice.UserId))).AssertOkAsync()).GetProperty("total").GetInt32());

        await (await admin.DeleteAsync($"{Devices(alice.UserId)}/{alice.DeviceId}")).AssertOkAsync();
        await (await a.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        await (await admin.PostAsJsonAsync($"/_synapse/admin/v2/users/{Uri.EscapeDataString(alice.UserId)}/delete_devices", new { devices = new[] { "ADMINMADE" } })).AssertOkAsync();
        Assert.Equal(0, (await (await admin.GetAsync(Devices(alice.UserId))).AssertOkAsync()).GetProperty("total").GetInt32());

        await (await admin.GetAsync($"{Devices(alice.UserId)}/NOSUCHDEVICE")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync(Devices("@x:elsewhere.example"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(Devices($"@nobody{Guid.NewGuid():N}:{TestHomeserver.ServerName}"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PostAsJsonAsync($"/_synapse/admin/v2/users/{Uri.EscapeDataString(alice.UserId)}/delete_devices", new { devices = "ADMINMADE" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Whois_OnBothPaths_ShowsTheSameConnections(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        await (await a.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();

        var synapse = await (await admin.GetAsync("/_synapse/admin/v1/whois/" + Uri.EscapeDataString(alice.UserId))).AssertOkAsync();
        var client = await (await admin.GetAsync("/_matrix/client/v3/admin/whois/" + Uri.EscapeDataString(alice.UserId))).AssertOkAsync();
        Assert.Equal(client.GetRawText(), synapse.GetRawText());
        var connection = Assert.Single(synapse.GetProperty("devices").GetProperty(alice.DeviceId).GetProperty("sessions")[0].GetProperty("connections").EnumerateArray());
        Assert.Equal("127.0.0.1", connection.GetProperty("ip").GetString());
        await (await a.GetAsync("/_synapse/admin/v1/whois/" + Uri.EscapeDataString(alice.UserId))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task JoinedRoomsMembershipsAndAccountData_ShowWhatTheUserHas(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var invitedTo = await a.CreateRoomAsync();
        await a.InviteAsync(invitedTo, bob.UserId);
        var user = Uri.EscapeDataString(bob.UserId);

        var joined = await (await admin.GetAsync($"/_synapse/admin/v1/users/{user}/joined_rooms")).AssertOkAsync();
        Assert.Equal([roomId], joined.GetProperty("joined_rooms").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1, joined.GetProperty("total").GetInt32());

        var memberships = (await (await admin.GetAsync($"/_synapse/admin/v1/users/{user}/memberships")).AssertOkAsync()).GetProperty("memberships");
        Assert.Equal("join", memberships.GetProperty(roomId).GetString());
        Assert.Equal("invite", memberships.GetProperty(invitedTo).GetString());

        await (await b.PutAsJsonAsync($"/_matrix/client/v3/user/{user}/account_data/org.example.global", new { colour = "blue" })).AssertOkAsync();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/user/{user}/rooms/{roomId}/account_data/org.example.room", new { pinned = true })).AssertOkAsync();
        var data = (await (await admin.GetAsync($"/_synapse/admin/v1/users/{user}/accountdata")).AssertOkAsync()).GetProperty("account_data");
        Assert.Equal("blue", data.GetProperty("global").GetProperty("org.example.global").GetProperty("colour").GetString());
        Assert.True(data.GetProperty("rooms").GetProperty(roomId).GetProperty("org.example.room").GetProperty("pinned").GetBoolean());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LoginAs_GivesATokenOfTheUser_ButNotOfTheAdminThemself(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (me, admin) = await hs.RegisterAdminAsync();
        var (alice, _) = await hs.RegisterClientAsync();

        var body = await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/users/{Uri.EscapeDataString(alice.UserId)}/login", new { })).AssertOkAsync();
        using var asAlice = hs.NewClient(body.GetProperty("access_token").GetString());
        var who = await (await asAlice.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        Assert.Equal(alice.UserId, who.GetProperty("user_id").GetString());

        await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/users/{Uri.EscapeDataString(me.UserId)}/login", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/users/{Uri.EscapeDataString($"@nobody{Guid.NewGuid():N}:{TestHomeserver.ServerName}")}/login", new { }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }
}
