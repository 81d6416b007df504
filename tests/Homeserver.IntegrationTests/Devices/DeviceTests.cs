using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Devices;

public sealed class DeviceTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{

    private static string DevicePath(string deviceId) => "/_matrix/client/v3/devices/" + Uri.EscapeDataString(deviceId);

    /// <summary>The <c>auth</c> dict of an <c>m.login.password</c> stage naming <paramref name="user"/> by <c>m.id.user</c>.</summary>
    private static object PasswordAuth(TestUser user, string? session, string? password = null) => new
    {
        type = "m.login.password",
        identifier = new { type = "m.id.user", user = user.Localpart },
        password = password ?? user.Password,
        session,
    };

    private static Task<HttpResponseMessage> DeleteDeviceAsync(HttpClient client, string deviceId, object? body = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Delete, DevicePath(deviceId));
        if (body is not null)
            req.Content = JsonContent.Create(body);
        return client.SendAsync(req);
    }

    /// <summary>Asserts the first UIA answer: 401 offering exactly the password flow, with a session and no stage error.</summary>

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ListDevices_AfterSecondLogin_ShowsOnlyOwnDevices(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (first, client) = await hs.RegisterClientAsync();
        var second = await hs.LoginAsync(first);
        var stranger = await hs.RegisterAsync();
        Assert.NotEqual(first.DeviceId, second.DeviceId);

        var ids = await client.DeviceIdsAsync();
        Assert.Equal(2, ids.Count);
        Assert.Contains(first.DeviceId, ids);
        Assert.Contains(second.DeviceId, ids);
        Assert.DoesNotContain(stranger.DeviceId, ids);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GetDevice_Own_ReturnsItWithLastSeen(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var device = await (await client.GetAsync(DevicePath(user.DeviceId))).AssertOkAsync();
        Assert.Equal(user.DeviceId, device.GetProperty("device_id").GetString());
        Assert.True(device.GetProperty("last_seen_ts").GetInt64() > 0);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GetDevice_UnknownOrOtherUsers_IsNotFound(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, client) = await hs.RegisterClientAsync();
        var other = await hs.RegisterAsync();
        await (await client.GetAsync(DevicePath("NOSUCHDEVICE"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        // Another user's device is not visible through my session.
        await (await client.GetAsync(DevicePath(other.DeviceId))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RenameDevice_ThenGet_ShowsNewName(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var second = await hs.LoginAsync(user);

        var put = await client.PutAsJsonAsync(DevicePath(second.DeviceId), new { display_name = "Kitchen tablet ☕" });
        await put.AssertOkAsync();

        var device = await (await client.GetAsync(DevicePath(second.DeviceId))).AssertOkAsync();
        Assert.Equal("Kitchen tablet ☕", device.GetProperty("display_name").GetString());
        var listed = (await (await client.GetAsync("/_matrix/client/v3/devices")).AssertOkAsync())
            .GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("device_id").GetString() == second.DeviceId);
        Assert.Equal("Kitchen tablet ☕", listed.GetProperty("display_name").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RenameDevice_OverOneHundredCharacters_IsRefusedAndAtTheLimitIsAccepted(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        var tooLong = await (await client.PutAsJsonAsync(DevicePath(user.DeviceId), new { display_name = new string('n', 101) }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        Assert.Equal("display_name is longer than 100 characters", tooLong.GetProperty("error").GetString());
        var atLimit = new string('n', 100);
        await (await client.PutAsJsonAsync(DevicePath(user.DeviceId), new { display_name = atLimit })).AssertOkAsync();
        var device = await (await client.GetAsync(DevicePath(user.DeviceId))).AssertOkAsync();
        Assert.Equal(atLimit, device.GetProperty("display_name").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RenameDevice_UnknownOrOtherUsers_IsNotFound(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, client) = await hs.RegisterClientAsync();
        var (other, otherClient) = await hs.RegisterClientAsync();
        await (await client.PutAsJsonAsync(DevicePath("NOSUCHDEVICE"), new { display_name = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await client.PutAsJsonAsync(DevicePath(other.DeviceId), new { display_name = "hijacked" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        var device = await (await otherClient.GetAsync(DevicePath(other.DeviceId))).AssertOkAsync();
        Assert.NotEqual("hijacked", device.TryGetProperty("display_name", out var n) ? n.GetString() : null);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_WithoutAuth_ChallengesWithPasswordFlowAndKeepsDevice(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var second = await hs.LoginAsync(user);

        await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, second.DeviceId));
        await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, second.DeviceId, new { }));

        await hs.AssertTokenWorksAsync(second);
        Assert.Contains(second.DeviceId, await client.DeviceIdsAsync());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_WrongPassword_Is401ForbiddenAndKeepsDevice(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var second = await hs.LoginAsync(user);
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, second.DeviceId));

        var wrong = await DeleteDeviceAsync(client, second.DeviceId, new { auth = PasswordAuth(user, session, "not the password") });
        var body = await wrong.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        // A failed stage still answers with the UIA state so the client can retry in the same session.
        Assert.Equal(session, body.GetProperty("session").GetString());
        Assert.Empty(body.GetProperty("completed").EnumerateArray());
        Assert.Equal("m.login.password", body.GetProperty("flows")[0].GetProperty("stages")[0].GetString());

        await hs.AssertTokenWorksAsync(second);
        Assert.Contains(second.DeviceId, await client.DeviceIdsAsync());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_RightPassword_RevokesOnlyThatDevice(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var doomed = await hs.LoginAsync(user);
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, doomed.DeviceId));

        var done = await DeleteDeviceAsync(client, doomed.DeviceId, new { auth = PasswordAuth(user, session) });
        await done.AssertOkAsync();

        await hs.AssertTokenRevokedAsync(doomed);
        await hs.AssertTokenWorksAsync(user);
        await (await client.GetAsync(DevicePath(doomed.DeviceId))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal([user.DeviceId], await client.DeviceIdsAsync());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_OwnCurrentDevice_RevokesRequestingToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var other = await hs.LoginAsync(user);
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, user.DeviceId));
        await (await DeleteDeviceAsync(client, user.DeviceId, new { auth = PasswordAuth(user, session) })).AssertOkAsync();

        await hs.AssertTokenRevokedAsync(user);
        await hs.AssertTokenWorksAsync(other);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_AlreadyDeleted_SucceedsAfterUia(string engine)
    {
        // device_management.yaml, DELETE /devices/{deviceId}: 200 "The device was successfully removed, or had been removed previously."
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var gone = await hs.LoginAsync(user);
        using (var goneClient = hs.ClientFor(gone))
            await (await goneClient.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertOkAsync();

        using var client = hs.ClientFor(user);
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, gone.DeviceId));
        await (await DeleteDeviceAsync(client, gone.DeviceId, new { auth = PasswordAuth(user, session) })).AssertOkAsync();
        await hs.AssertTokenWorksAsync(user);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevices_RightPassword_RevokesListedDevicesOnly(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var b = await hs.LoginAsync(user);
        var c = await hs.LoginAsync(user);
        var keep = await hs.LoginAsync(user);

        var challenge = await client.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new { devices = new[] { b.DeviceId, c.DeviceId } });
        var session = await SessionAssertions.AssertPasswordChallengeAsync(challenge);
        await hs.AssertTokenWorksAsync(b);

        var wrong = await client.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new
        {
            devices = new[] { b.DeviceId, c.DeviceId },
            auth = PasswordAuth(user, session, "not the password"),
        });
        await wrong.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        await hs.AssertTokenWorksAsync(b);

        var done = await client.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new
        {
            devices = new[] { b.DeviceId, c.DeviceId },
            auth = PasswordAuth(user, session),
        });
        await done.AssertOkAsync();

        await hs.AssertTokenRevokedAsync(b);
        await hs.AssertTokenRevokedAsync(c);
        await hs.AssertTokenWorksAsync(user);
        await hs.AssertTokenWorksAsync(keep);
        var ids = await client.DeviceIdsAsync();
        Assert.Equal(2, ids.Count);
        Assert.Contains(user.DeviceId, ids);
        Assert.Contains(keep.DeviceId, ids);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_UiaSessionFromAnotherDevice_IsForbidden(string engine)
    {
        // Checklist row 17: a UIA session is bound to the operation it was started for.
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var a = await hs.LoginAsync(user);
        var b = await hs.LoginAsync(user);

        var sessionForA = await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, a.DeviceId));
        var spent = await DeleteDeviceAsync(client, b.DeviceId, new { auth = PasswordAuth(user, sessionForA) });
        await spent.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        await hs.AssertTokenWorksAsync(a);
        await hs.AssertTokenWorksAsync(b);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevices_UiaSessionForOtherList_IsForbidden(string engine)
    {
        // Checklist row 17 for the bulk endpoint: the device list can't grow once the session is started.
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var a = await hs.LoginAsync(user);
        var b = await hs.LoginAsync(user);

        var session = await SessionAssertions.AssertPasswordChallengeAsync(
            await client.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new { devices = new[] { a.DeviceId } }));
        var spent = await client.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new
        {
            devices = new[] { a.DeviceId, b.DeviceId },
            auth = PasswordAuth(user, session),
        });
        await spent.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        await hs.AssertTokenWorksAsync(a);
        await hs.AssertTokenWorksAsync(b);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_WithAnotherUsersCredentials_IsForbidden(string engine)
    {
        // Checklist row 18: user X can't pass UIA with user Y's (correct) password.
        var hs = await fixture.GetAsync(engine);
        var (x, client) = await hs.RegisterClientAsync();
        var xSecond = await hs.LoginAsync(x);
        var y = await hs.RegisterAsync(password: "y's own password");

        var session = await SessionAssertions.AssertPasswordChallengeAsync(await DeleteDeviceAsync(client, xSecond.DeviceId));
        var res = await DeleteDeviceAsync(client, xSecond.DeviceId, new { auth = PasswordAuth(y, session) });
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        await hs.AssertTokenWorksAsync(xSecond);
        await hs.AssertTokenWorksAsync(y);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteDevice_OtherUsersDevice_LeavesItAlone(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (attacker, client) = await hs.RegisterClientAsync();
        var (victim, victimClient) = await hs.RegisterClientAsync();

        var first = await DeleteDeviceAsync(client, victim.DeviceId);
        if (first.StatusCode == HttpStatusCode.Unauthorized)
        {
            var session = (await first.JsonAsync()).GetProperty("session").GetString();
            var second = await DeleteDeviceAsync(client, victim.DeviceId, new { auth = PasswordAuth(attacker, session) });
            Assert.True(second.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Forbidden,
                $"unexpected {(int)second.StatusCode}");
        }
        else
            await first.AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        // Whatever the answer, the victim's device and token survive.
        await hs.AssertTokenWorksAsync(victim);
        Assert.Contains(victim.DeviceId, await victimClient.DeviceIdsAsync());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Login_WithExistingDeviceId_RevokesThatDevicesPreviousToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var other = await hs.LoginAsync(user);

        var again = await hs.LoginAsync(user, deviceId: user.DeviceId);
        Assert.Equal(user.DeviceId, again.DeviceId);
        Assert.NotEqual(user.AccessToken, again.AccessToken);

        await hs.AssertTokenRevokedAsync(user);
        await hs.AssertTokenWorksAsync(again);
        await hs.AssertTokenWorksAsync(other);
        using var client = hs.ClientFor(again);
        var ids = await client.DeviceIdsAsync();
        Assert.Equal(2, ids.Count);
        Assert.Single(ids, id => id == user.DeviceId);
    }
}
