using System.Net.Http.Json;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.E2ee;

/// <summary>device_lists in sync and /keys/changes: key changes reach room peers only, joins and leaves are reported.</summary>
public sealed class DeviceListTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task KeyUpload_IsReportedToARoomPeer_NotToAStranger(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (_, c) = await hs.RegisterClientAsync();
        var bobSince = (await b.SyncAsync()).NextBatch();
        var carolSince = (await c.SyncAsync()).NextBatch();

        var poll = b.SyncAsync(bobSince, timeout: 20_000);
        var strangerPoll = c.SyncAsync(carolSince, timeout: 20_000);
        await Task.Delay(300);
        using var deviceKey = SigningKey.Generate();
        await a.UploadKeysAsync(new { device_keys = E2eeClient.DeviceKeys(alice, deviceKey) });
        var bobs = await poll;
        Assert.Contains(alice.UserId, bobs.DeviceLists("changed"));
        // The stranger's long poll is not woken by it, and an immediate sync shows nothing either.
        await Task.Delay(500);
        Assert.False(strangerPoll.IsCompleted);
        Assert.DoesNotContain(alice.UserId, (await c.SyncAsync(carolSince)).DeviceLists("changed"));

        var changes = await (await b.GetAsync($"/_matrix/client/v3/keys/changes?from={Uri.EscapeDataString(bobSince)}&to={Uri.EscapeDataString(bobs.NextBatch())}")).AssertOkAsync();
        Assert.Contains(alice.UserId, changes.GetProperty("changed").EnumerateArray().Select(u => u.GetString()));
        // Nothing new after that: the next incremental sync has no changes.
        Assert.DoesNotContain(alice.UserId, (await b.SyncAsync(bobs.NextBatch())).DeviceLists("changed"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NewAndRenamedDevices_AreReportedToTheOwnerAndRoomPeers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, _, a, b, _) = await hs.TwoUsersInPublicRoomAsync();
        var aliceSince = (await a.SyncAsync()).NextBatch();
        var bobSince = (await b.SyncAsync()).NextBatch();

        var second = await hs.LoginAsync(alice);
        var afterLogin = await a.SyncAsync(aliceSince);
        Assert.Contains(alice.UserId, afterLogin.DeviceLists("changed"));
        var bobAfterLogin = await b.SyncAsync(bobSince);
        Assert.Contains(alice.UserId, bobAfterLogin.DeviceLists("changed"));
        Assert.DoesNotContain(alice.UserId, (await a.SyncAsync(afterLogin.NextBatch())).DeviceLists("changed"));

        await (await a.PutAsJsonAsync($"/_matrix/client/v3/devices/{Uri.EscapeDataString(second.DeviceId)}", new { display_name = "renamed" })).AssertOkAsync();
        Assert.Contains(alice.UserId, (await a.SyncAsync(afterLogin.NextBatch())).DeviceLists("changed"));
        Assert.Contains(alice.UserId, (await b.SyncAsync(bobAfterLogin.NextBatch())).DeviceLists("changed"));

        // Renaming a device that does not exist changes nothing and says so.
        var missing = await a.PutAsJsonAsync("/_matrix/client/v3/devices/NOSUCHDEVICE", new { display_name = "x" });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Joining_ReportsTheNewPeer_LeavingTheLastSharedRoom_ReportsLeft(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var first = await a.CreateRoomAsync(new { preset = "public_chat" });
        var second = await a.CreateRoomAsync(new { preset = "public_chat" });
        var aliceSince = (await a.SyncAsync()).NextBatch();
        await b.JoinAsync(first);
        await b.JoinAsync(second);
        var joined = await a.SyncAsync(aliceSince);
        Assert.Contains(bob.UserId, joined.DeviceLists("changed"));

        await b.LeaveAsync(first);
        var stillSharing = await a.SyncAsync(joined.NextBatch());
        Assert.DoesNotContain(bob.UserId, stillSharing.DeviceLists("left"));

        await b.LeaveAsync(second);
        var parted = await a.SyncAsync(stillSharing.NextBatch());
        Assert.Contains(bob.UserId, parted.DeviceLists("left"));
        // Bob sees it from his side too: he left the last room he shared with Alice.
        Assert.Contains(alice.UserId, (await b.SyncAsync(joined.NextBatch())).DeviceLists("left"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeletingADevice_RemovesItsKeysAndInbox_AndTellsRoomPeers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var alicePhone = await hs.LoginAsync(alice);
        var (_, b) = await hs.RegisterClientAsync();
        using var phone = hs.ClientFor(alicePhone);
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        using var deviceKey = SigningKey.Generate();
        await phone.UploadKeysAsync(new { device_keys = E2eeClient.DeviceKeys(alicePhone, deviceKey) });
        var bobSince = (await b.SyncAsync()).NextBatch();

        await (await b.SendToDeviceAsync("m.test", "before-logout", new Dictionary<string, Dictionary<string, object>>
        {
            [alice.UserId] = new() { [alicePhone.DeviceId] = new { x = 1 } },
        })).AssertOkAsync();
        await (await phone.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertOkAsync();

        Assert.Contains(alice.UserId, (await b.SyncAsync(bobSince)).DeviceLists("changed"));
        var devices = (await b.QueryKeysAsync(alice.UserId)).GetProperty("device_keys").GetProperty(alice.UserId);
        Assert.False(devices.TryGetProperty(alicePhone.DeviceId, out _));
        // The same device ID logged in again starts with an empty inbox.
        using var again = hs.ClientFor(await hs.LoginAsync(alice, alicePhone.DeviceId));
        Assert.Empty((await again.SyncAsync()).ToDeviceEvents());
    }
}
