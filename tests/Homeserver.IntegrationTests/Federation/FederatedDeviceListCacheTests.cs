using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Keys;
using Homeserver.IntegrationTests.E2ee;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// The device lists of another server's users that ours keeps: the owner's server never answers a key query here
/// (refused throughout), so every answer comes from the kept list. It follows added and deleted devices while the
/// owner's server refuses even <c>/user/devices</c>, resyncs through <c>/user/devices</c> when an update was lost
/// (a <c>prev_id</c> gap), and is dropped with the last shared room, which sync reports as <c>left</c>.
/// </summary>
public sealed class FederatedDeviceListCacheTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ARemoteUsersDevices_AreKeptFromTheirUpdates_ResyncedOnAGap_AndForgottenWhenNoRoomIsShared(string engine)
    {
        var lossy = new LoseTransactions();
        var owner = new UserKeyEndpoints { RefuseKeyQueries = true };
        await using var servers = await StartAsync(engine, onA: lossy, onB: owner);
        var (b, aliceClient, bob, bobClient) = (servers.B, servers.AliceClient, servers.Bob, servers.BobClient);
        var roomId = await SharedRoomAsync(aliceClient, bobClient, servers.A);
        var since = (await aliceClient.SyncAsync()).NextBatch();

        // The first update finds no kept list: it is resynced, and the query answers from it.
        await UploadDeviceKeysAsync(bobClient, bob);
        since = await WaitForSyncAsync(aliceClient, since, s => s.DeviceLists("changed").Contains(bob.UserId), "bob's first device in alice's sync");
        await RoomViews.EventuallyAsync(() => Task.FromResult(owner.DeviceListFetches >= 1), () => Task.FromResult("the first update to resync bob's device list"));
        await AssertDevicesEventuallyAsync(aliceClient, bob.UserId, bob.DeviceId);

        // With bob's server refusing every key request, updates alone keep the list: a new device, then its deletion.
        owner.RefuseDeviceLists = true;
        var second = await b.LoginAsync(bob);
        await UploadDeviceKeysAsync(b.ClientFor(second), second);
        since = await WaitForSyncAsync(aliceClient, since, s => s.DeviceLists("changed").Contains(bob.UserId), "bob's second device in alice's sync");
        await AssertDevicesEventuallyAsync(aliceClient, bob.UserId, bob.DeviceId, second.DeviceId);
        await (await bobClient.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new
        {
            devices = new[] { second.DeviceId },
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = bob.Localpart }, password = bob.Password },
        })).AssertOkAsync();
        since = await WaitForSyncAsync(aliceClient, since, s => s.DeviceLists("changed").Contains(bob.UserId), "the deletion in alice's sync");
        await AssertDevicesEventuallyAsync(aliceClient, bob.UserId, bob.DeviceId);

        // An update lost on the way: the next one's prev_id names it, and the list is fetched whole again.
        owner.RefuseDeviceLists = false;
        lossy.Losing = true;
        var third = await b.LoginAsync(bob);
        await UploadDeviceKeysAsync(b.ClientFor(third), third);
        await RoomViews.EventuallyAsync(() => Task.FromResult(lossy.Lost > 0), () => Task.FromResult("bob's third device to be lost on the way"));
        lossy.Losing = false;
        var fetches = owner.DeviceListFetches;
        var fourth = await b.LoginAsync(bob);
        await UploadDeviceKeysAsync(b.ClientFor(fourth), fourth);
        since = await WaitForSyncAsync(aliceClient, since, s => s.DeviceLists("changed").Contains(bob.UserId), "bob's fourth device in alice's sync");
        // The resync after a gap runs in the background (as Synapse's), so it may come after the update is announced.
        await RoomViews.EventuallyAsync(() => Task.FromResult(owner.DeviceListFetches > fetches), () => Task.FromResult("the gap to resync bob's device list"));
        await AssertDevicesEventuallyAsync(aliceClient, bob.UserId, bob.DeviceId, third.DeviceId, fourth.DeviceId);

        // No room shared any more: bob is left, and his list is no longer kept (his refusing server is asked instead).
        await bobClient.LeaveAsync(roomId);
        await WaitForSyncAsync(aliceClient, since, s => s.DeviceLists("left").Contains(bob.UserId), "bob in alice's device_lists.left");
        var after = await aliceClient.QueryKeysAsync(bob.UserId);
        Assert.True(after.GetProperty("failures").TryGetProperty(b.Options.ServerName, out _), after.ToString());
        Assert.False(after.GetProperty("device_keys").TryGetProperty(bob.UserId, out _), after.ToString());
    }

    /// <summary>
    /// A query that resyncs a list tells our users sharing a room with its owner (their next sync lists them as changed,
    /// as Synapse does), and the kept list keeps answering, the same, while the owner's server refuses everything.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AResyncByAQuery_IsAnnouncedInSync_AndTheKeptListAnswersWhileTheOwnersServerIsDown(string engine)
    {
        var owner = new UserKeyEndpoints { RefuseKeyQueries = true };
        await using var servers = await StartAsync(engine, onB: owner);
        var (aliceClient, bob, bobClient) = (servers.AliceClient, servers.Bob, servers.BobClient);
        // Bob's keys exist before any room is shared: no update ever tells alice's server of them.
        await UploadDeviceKeysAsync(bobClient, bob);
        await SharedRoomAsync(aliceClient, bobClient, servers.A);
        var since = (await aliceClient.SyncAsync()).NextBatch();
        Assert.Equal(0, owner.DeviceListFetches);

        var first = await aliceClient.QueryKeysAsync(bob.UserId);

        AssertDevices(first, bob.UserId, bob.DeviceId);
        Assert.Equal(1, owner.DeviceListFetches);
        await WaitForSyncAsync(aliceClient, since, s => s.DeviceLists("changed").Contains(bob.UserId), "the resync in alice's sync");
        owner.RefuseDeviceLists = true;
        var second = await aliceClient.QueryKeysAsync(bob.UserId);
        AssertDevices(second, bob.UserId, bob.DeviceId);
        Assert.Equal(first.GetProperty("device_keys").ToString(), second.GetProperty("device_keys").ToString());
    }

    /// <summary>
    /// While our server shares no room with a user, their server tells it nothing: the list kept before is dropped when
    /// the last shared room is left, so that after a rejoin the next query fetches it whole, devices added meanwhile included.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AListKeptBeforeOurServerLeftTheLastSharedRoom_IsFetchedAgainAfterARejoin(string engine)
    {
        var owner = new UserKeyEndpoints { RefuseKeyQueries = true };
        await using var servers = await StartAsync(engine, onB: owner);
        var (b, aliceClient, bob, bobClient) = (servers.B, servers.AliceClient, servers.Bob, servers.BobClient);
        await UploadDeviceKeysAsync(bobClient, bob);
        var roomId = await SharedRoomAsync(bobClient, aliceClient, b);
        AssertDevices(await aliceClient.QueryKeysAsync(bob.UserId), bob.UserId, bob.DeviceId);
        Assert.Equal(1, owner.DeviceListFetches);

        await aliceClient.LeaveAsync(roomId);
        var second = await b.LoginAsync(bob);
        await UploadDeviceKeysAsync(b.ClientFor(second), second);
        await aliceClient.JoinViaAsync(roomId, b.Options.ServerName);

        AssertDevices(await aliceClient.QueryKeysAsync(bob.UserId), bob.UserId, bob.DeviceId, second.DeviceId);
        Assert.Equal(2, owner.DeviceListFetches);
    }

    /// <summary>
    /// The same from the joining side: a user who joined a room on another server hears of the room creator's first
    /// device, whose update finds no kept list and resyncs it.
    /// </summary>
    [Fact]
    public async Task AUserWhoJoinedOverFederation_HearsOfTheResidentsDevices()
    {
        await using var servers = await StartAsync("sqlite");
        var (alice, aliceClient, bobClient) = (servers.Alice, servers.AliceClient, servers.BobClient);
        await SharedRoomAsync(aliceClient, bobClient, servers.A);
        var since = (await bobClient.SyncAsync()).NextBatch();

        await UploadDeviceKeysAsync(aliceClient, alice);

        await WaitForSyncAsync(bobClient, since, s => s.DeviceLists("changed").Contains(alice.UserId), "alice's device in bob's sync");
        await AssertDevicesEventuallyAsync(bobClient, alice.UserId, alice.DeviceId);
    }

    /// <summary>
    /// A server speaks only for its own users' devices: keys in its device list that name another user or another
    /// device are dropped, while keys that name neither are passed on as given (as Synapse does; clients check the
    /// names and signatures inside them).
    /// </summary>
    [Fact]
    public async Task KeysNamingAnotherUserOrDevice_AreDropped_WhileKeysNamingNoneArePassedOn()
    {
        var stub = new FederationAnswerStub();
        await using var servers = await StartAsync("sqlite", onB: stub);
        var (alice, aliceClient, bob, bobClient) = (servers.Alice, servers.AliceClient, servers.Bob, servers.BobClient);
        stub.Answer("/_matrix/federation/v1/user/devices", _ => new JsonObject
        {
            ["user_id"] = bob.UserId,
            ["stream_id"] = 7,
            ["devices"] = new JsonArray(
                Device("NAMELESS", new JsonObject { ["keys"] = new JsonObject { ["ed25519:NAMELESS"] = "key1" } }),
                Device("FORGED", new JsonObject { ["user_id"] = alice.UserId, ["device_id"] = "FORGED", ["keys"] = new JsonObject { ["ed25519:FORGED"] = "key2" } }),
                Device("SWAPPED", new JsonObject { ["user_id"] = bob.UserId, ["device_id"] = "OTHER", ["keys"] = new JsonObject { ["ed25519:OTHER"] = "key3" } }),
                Device("OWN", new JsonObject { ["user_id"] = bob.UserId, ["device_id"] = "OWN", ["keys"] = new JsonObject { ["ed25519:OWN"] = "key4" } })),
        });
        await SharedRoomAsync(aliceClient, bobClient, servers.A);

        var query = await aliceClient.QueryKeysAsync(bob.UserId);

        Assert.NotEmpty(stub.RequestsTo("/_matrix/federation/v1/user/devices"));
        var devices = query.GetProperty("device_keys").GetProperty(bob.UserId);
        Assert.Equal(["NAMELESS", "OWN"], devices.EnumerateObject().Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.Equal("key1", devices.GetProperty("NAMELESS").GetProperty("keys").GetProperty("ed25519:NAMELESS").GetString());
        Assert.Equal("bob's phone", devices.GetProperty("OWN").GetProperty("unsigned").GetProperty("device_display_name").GetString());
        Assert.False(query.GetProperty("device_keys").TryGetProperty(alice.UserId, out _), query.ToString());

        static JsonObject Device(string id, JsonObject keys) => new() { ["device_id"] = id, ["keys"] = keys, ["device_display_name"] = "bob's phone" };
    }

    /// <summary>Alice on server A and bob on server B, each server with the middleware a test puts in front of it.</summary>
    private sealed record Servers(TestHomeserver A, TestHomeserver B, TestUser Alice, HttpClient AliceClient, TestUser Bob, HttpClient BobClient)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    private async Task<Servers> StartAsync(string engine, IStartupFilter? onA = null, IStartupFilter? onB = null)
    {
        var a = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: With(onA));
        var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: With(onB));
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        return new Servers(a, b, alice, aliceClient, bob, bobClient);

        static Action<WebApplicationBuilder>? With(IStartupFilter? filter) =>
            filter is null ? null : builder => builder.Services.AddSingleton(filter);
    }

    /// <summary>A public room the creator makes on their server, which the joiner joins over federation; its ID.</summary>
    private static async Task<string> SharedRoomAsync(HttpClient creator, HttpClient joiner, TestHomeserver creatorsServer)
    {
        var roomId = await creator.CreateRoomAsync(new { preset = "public_chat" });
        await joiner.JoinViaAsync(roomId, creatorsServer.Options.ServerName);
        return roomId;
    }

    private static Task UploadDeviceKeysAsync(HttpClient client, TestUser user)
    {
        using var deviceKey = SigningKey.Generate();
        return client.UploadKeysAsync(new { device_keys = E2eeClient.DeviceKeys(user, deviceKey) });
    }

    /// <summary>
    /// A new device is two updates (its login, then its keys), and the first one already lists the user as changed: the
    /// answer is awaited until the keys are in.
    /// </summary>
    private static async Task AssertDevicesEventuallyAsync(HttpClient client, string userId, params string[] deviceIds)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var query = await client.QueryKeysAsync(userId);
            try
            {
                AssertDevices(query, userId, deviceIds);
                return;
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static void AssertDevices(JsonElement query, string userId, params string[] deviceIds)
    {
        Assert.Empty(query.GetProperty("failures").EnumerateObject());
        var devices = query.GetProperty("device_keys").GetProperty(userId);
        Assert.Equal(deviceIds.Order(StringComparer.Ordinal), devices.EnumerateObject().Select(d => d.Name).Order(StringComparer.Ordinal));
        foreach (var device in devices.EnumerateObject())
            Assert.Equal(device.Name, device.Value.GetProperty("device_id").GetString());
    }

    private static async Task<string> WaitForSyncAsync(HttpClient client, string since, Func<JsonElement, bool> seen, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var sync = await client.SyncAsync(since, timeout: 1000);
            since = sync.NextBatch();
            if (sync.TryGetProperty("device_lists", out _) && seen(sync))
                return since;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
        }
    }

    /// <summary>While <see cref="Losing"/>, takes transactions and applies none of them: their EDUs are lost.</summary>
    private sealed class LoseTransactions : IStartupFilter
    {
        private int _lost;

        public volatile bool Losing;

        public int Lost => Volatile.Read(ref _lost);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                if (Losing && ctx.Request.Path.StartsWithSegments("/_matrix/federation/v1/send"))
                {
                    Interlocked.Increment(ref _lost);
                    await ctx.Response.WriteAsJsonAsync(new { pdus = new { } });
                    return;
                }
                await nextMiddleware(ctx);
            });
            next(app);
        };
    }

    /// <summary>The owner's side: refuses <c>/user/keys/query</c> and (while asked) <c>/user/devices</c>, counting the latter's answers.</summary>
    private sealed class UserKeyEndpoints : IStartupFilter
    {
        private int _fetches;

        public volatile bool RefuseKeyQueries;
        public volatile bool RefuseDeviceLists;

        public int DeviceListFetches => Volatile.Read(ref _fetches);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                var path = ctx.Request.Path;
                var devices = path.StartsWithSegments("/_matrix/federation/v1/user/devices");
                if ((RefuseKeyQueries && path.StartsWithSegments("/_matrix/federation/v1/user/keys/query")) || (RefuseDeviceLists && devices))
                {
                    ctx.Response.StatusCode = 503;
                    return;
                }
                if (devices)
                    Interlocked.Increment(ref _fetches);
                await nextMiddleware(ctx);
            });
            next(app);
        };
    }

    public void Dispose() => _ca.Dispose();
}
