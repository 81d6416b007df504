using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Keys;
using Homeserver.IntegrationTests.E2ee;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// End-to-end encryption's keys between users of two servers of ours sharing a room, through the client API alone: a
/// device change reaches the other side's <c>device_lists.changed</c> (an <c>m.device_list_update</c> EDU), whose
/// <c>/keys/query</c> and <c>/keys/claim</c> then reach the owner's server; an unreachable server is a failure.
/// </summary>
public sealed class FederatedKeysTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ADeviceChange_ReachesTheOtherSide_WhoseQueryAndClaimReachTheOwnersServer(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null)).AssertOkAsync();
        var since = (await bobClient.SyncAsync()).NextBatch();

        using var deviceKey = SigningKey.Generate();
        var deviceKeys = E2eeClient.DeviceKeys(alice, deviceKey);
        await aliceClient.UploadKeysAsync(new
        {
            device_keys = deviceKeys,
            one_time_keys = new JsonObject { ["signed_curve25519:k1"] = E2eeClient.SignedKey(alice, deviceKey) },
        });

        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var sync = await bobClient.SyncAsync(since, timeout: 1000);
            since = sync.NextBatch();
            if (sync.TryGetProperty("device_lists", out _) && sync.DeviceLists("changed").Contains(alice.UserId))
                break;
            Assert.True(DateTime.UtcNow < deadline, "alice's device change did not reach bob's sync");
        }

        var query = await bobClient.QueryKeysAsync(alice.UserId);
        var device = query.GetProperty("device_keys").GetProperty(alice.UserId).GetProperty(alice.DeviceId);
        Assert.Equal(deviceKeys["keys"]!["curve25519:" + alice.DeviceId]!.GetValue<string>(),
            device.GetProperty("keys").GetProperty("curve25519:" + alice.DeviceId).GetString());
        Assert.Empty(query.GetProperty("failures").EnumerateObject());

        var claim = await (await bobClient.PostAsJsonAsync("/_matrix/client/v3/keys/claim", new
        {
            one_time_keys = new Dictionary<string, Dictionary<string, string>> { [alice.UserId] = new() { [alice.DeviceId] = "signed_curve25519" } },
        })).AssertOkAsync();
        var claimed = claim.GetProperty("one_time_keys").GetProperty(alice.UserId).GetProperty(alice.DeviceId);
        Assert.True(claimed.TryGetProperty("signed_curve25519:k1", out _), claimed.ToString());
        // The one-time key is gone on alice's server once claimed across servers.
        var stock = await aliceClient.UploadKeysAsync(new { });
        Assert.Equal(0, stock.GetProperty("one_time_key_counts").GetProperty("signed_curve25519").GetInt32());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnUnreachableServer_IsListedUnderFailures_BesideTheKeysThatCame(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var nowhere = $"localhost:{TestPorts.Free()}";
        var query = await (await aliceClient.PostAsJsonAsync("/_matrix/client/v3/keys/query", new
        {
            device_keys = new Dictionary<string, string[]> { [alice.UserId] = [], [$"@ghost:{nowhere}"] = [] },
            timeout = 5000,
        })).AssertOkAsync();
        Assert.True(query.GetProperty("failures").TryGetProperty(nowhere, out _), query.ToString());
        Assert.True(query.GetProperty("device_keys").TryGetProperty(alice.UserId, out _), query.ToString());
        Assert.False(query.GetProperty("device_keys").TryGetProperty($"@ghost:{nowhere}", out _));

        var claim = await (await aliceClient.PostAsJsonAsync("/_matrix/client/v3/keys/claim", new
        {
            one_time_keys = new Dictionary<string, Dictionary<string, string>> { [$"@ghost:{nowhere}"] = new() { ["DEV"] = "signed_curve25519" } },
            timeout = 5000,
        })).AssertOkAsync();
        Assert.True(claim.GetProperty("failures").TryGetProperty(nowhere, out _), claim.ToString());
    }

    public void Dispose() => _ca.Dispose();
}
