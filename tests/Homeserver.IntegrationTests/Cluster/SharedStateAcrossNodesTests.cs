using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>Two nodes with shared-secret registration on and presence timing out after a second.</summary>
public sealed class SharedStateClusterFixture : IAsyncLifetime
{
    public const string Secret = "the deploy script's shared secret";

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await TestCluster.StartAsync(2, TestRedis.Options(), o =>
        {
            o.Registration.SharedSecret = Secret;
            o.Presence.OfflineAfter = new Duration(TimeSpan.FromSeconds(1));
        });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// What the nodes keep in Redis for one another: who is syncing (so one node's presence sweep does not take offline a
/// user syncing through another) and shared-secret registration nonces (fetched through one node, used once through any).
/// </summary>
public sealed class SharedStateAcrossNodesTests(SharedStateClusterFixture fixture) : IClassFixture<SharedStateClusterFixture>
{
    private const string RegisterPath = "/_synapse/admin/v1/register";

    private static string StatusPath(string userId) => $"/_matrix/client/v3/presence/{Uri.EscapeDataString(userId)}/status";

    private static async Task<JsonElement> PresenceAsync(HttpClient c, string userId) =>
        await (await c.GetAsync(StatusPath(userId))).AssertOkAsync();

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient c, string nonce, string username)
    {
        const string password = "a long enough password";
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(SharedStateClusterFixture.Secret));
        var mac = Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{nonce}\0{username}\0{password}\0notadmin")));
        return c.PostAsJsonAsync(RegisterPath, new { nonce, username, password, mac });
    }

    [Fact]
    public async Task NonceFromNodeA_IsTakenOnceThroughNodeB_AndNeverAgainOnEither()
    {
        var (a, b) = (fixture.Cluster[0].Client, fixture.Cluster[1].Client);
        var nonce = (await (await a.GetAsync(RegisterPath)).AssertOkAsync()).GetProperty("nonce").GetString()!;

        var name = "ops" + Guid.NewGuid().ToString("N")[..8];
        var registered = await (await RegisterAsync(b, nonce, name)).AssertOkAsync();
        Assert.StartsWith($"@{name}:", registered.GetProperty("user_id").GetString());

        foreach (var node in new[] { a, b })
            await (await RegisterAsync(node, nonce, name + "x")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
    }

    [Fact]
    public async Task UserLongPollingOnNodeB_StaysOnlineThroughNodeAsSweeps_AndGoesOfflineOnceSyncsStopEverywhere()
    {
        var (nodeA, nodeB) = (fixture.Cluster[0], fixture.Cluster[1]);
        var alice = await nodeA.RegisterAsync();
        var onA = nodeA.ClientFor(alice);
        // Node A has seen Alice sync, so its sweep holds her and would take her offline on its own view.
        await SyncAsync(onA, timeout: 0);
        Assert.Equal("online", (await PresenceAsync(onA, alice.UserId)).GetProperty("presence").GetString());

        var onB = nodeB.ClientFor(await nodeB.LoginAsync(alice));
        using var stop = new CancellationTokenSource();
        var since = NextBatch(await SyncAsync(onB));
        var polling = Task.Run(async () =>
        {
            while (true)
                since = NextBatch(await (await onB.GetAsync(SyncPath(since, timeout: 5000), stop.Token)).AssertOkAsync());
        });

        // Past the one-second timeout and at least two of node A's sweeps (every 2 s).
        var watch = Stopwatch.StartNew();
        JsonElement seen;
        do
        {
            seen = await PresenceAsync(onA, alice.UserId);
            Assert.Equal("online", seen.GetProperty("presence").GetString());
            await Task.Delay(250);
        }
        while (watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True(seen.GetProperty("currently_active").GetBoolean(), $"node A does not see her syncing on node B: {seen}");
        Assert.False(polling.IsCompleted, $"the long polls on node B ended: {polling.Exception}");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => polling);
        watch.Restart();
        string? state;
        while ((state = (await PresenceAsync(onA, alice.UserId)).GetProperty("presence").GetString()) != "offline" && watch.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(100);
        Assert.Equal("offline", state);
    }
}
