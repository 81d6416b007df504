using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>Two nodes with a tight message limit: the limit holds across both, at the shared total.</summary>
public sealed class RateLimitedClusterFixture : IAsyncLifetime
{
    public const int Burst = 4;

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var loose = new RateLimitOptions { PerSecond = 100, BurstCount = 100 };
        Cluster = await TestCluster.StartAsync(2, TestRedis.Options(), o => o.RateLimits = new RateLimitsOptions
        {
            Enabled = true,
            Message = new RateLimitOptions { PerSecond = 0.01, BurstCount = Burst },
            Registration = loose, Login = loose, LoginFailedAttempts = loose, RoomCreation = loose, Joins = loose, Invites = loose,
        });
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// The per-account token buckets live in Redis when several nodes share it: a user spreading requests over the nodes
/// meets the limit of one bucket, and an admin's override set through one node applies on the others at once.
/// </summary>
public sealed class SharedRateLimitTests(RateLimitedClusterFixture fixture) : IClassFixture<RateLimitedClusterFixture>
{
    private static Task<HttpResponseMessage> SendAsync(HttpClient c, string roomId) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{Guid.NewGuid():N}", new { msgtype = "m.text", body = "hi" });

    private static string Override(string userId) => $"/_synapse/admin/v1/users/{Uri.EscapeDataString(userId)}/override_ratelimit";

    [Fact]
    public async Task BurstSpentAcrossBothNodes_IsLimitedAtTheSharedTotal_WithRetryAfter()
    {
        var cluster = fixture.Cluster;
        var user = await cluster[0].RegisterAsync();
        var (a, b) = (cluster[0].ClientFor(user), cluster[1].ClientFor(user));
        var roomId = await a.CreateRoomAsync();

        for (var i = 0; i < RateLimitedClusterFixture.Burst; i++)
            await (await SendAsync(i % 2 == 0 ? a : b, roomId)).AssertOkAsync();

        // Each node has seen half the burst; the shared bucket is empty all the same.
        foreach (var node in new[] { b, a })
        {
            var refused = await SendAsync(node, roomId);
            var error = await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
            var retryMs = error.GetProperty("retry_after_ms").GetInt64();
            // One message each 100 s: the next token is up to 100 s away.
            Assert.InRange(retryMs, 1, 100_000);
            Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, 100);
        }
    }

    [Fact]
    public async Task OverrideSetThroughNodeA_AppliesOnNodeBAtOnce_AndItsDeletionToo()
    {
        var cluster = fixture.Cluster;
        var (_, admin) = await cluster[0].RegisterAdminAsync();
        var bob = await cluster[1].RegisterAsync();
        var b = cluster[1].ClientFor(bob);
        var roomId = await b.CreateRoomAsync();
        for (var i = 0; i < RateLimitedClusterFixture.Burst; i++)
            await (await SendAsync(b, roomId)).AssertOkAsync();
        await (await SendAsync(b, roomId)).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");

        await (await admin.PostAsJsonAsync(Override(bob.UserId), new { messages_per_second = 0, burst_count = 0 })).AssertOkAsync();
        await UntilAsync(b, roomId, HttpStatusCode.OK);
        for (var i = 0; i < 10; i++)
            await (await SendAsync(b, roomId)).AssertOkAsync();

        await (await admin.DeleteAsync(Override(bob.UserId))).AssertOkAsync();
        await UntilAsync(b, roomId, HttpStatusCode.TooManyRequests);
    }

    /// <summary>Sends until the answer is <paramref name="expected"/>, which must come within a moment of the change.</summary>
    private static async Task UntilAsync(HttpClient c, string roomId, HttpStatusCode expected)
    {
        var watch = Stopwatch.StartNew();
        HttpStatusCode got;
        while ((got = (await SendAsync(c, roomId)).StatusCode) != expected && watch.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(50);
        Assert.Equal(expected, got);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"node B took {watch.Elapsed} to apply the change");
    }
}
