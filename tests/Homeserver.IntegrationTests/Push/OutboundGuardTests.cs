using System.Net;
using System.Net.Sockets;
using Homeserver.Core.Configuration;
using Homeserver.Core.Outbound;
using Xunit;

namespace Homeserver.IntegrationTests.Push;

/// <summary>Checklist row 76 at send time: a name that resolves to loopback is refused before any connection.</summary>
public sealed class OutboundGuardTests
{
    [Fact]
    public async Task NameResolvingToLoopback_IsRefusedWithoutConnecting_UnlessAllowListed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://localhost:{((IPEndPoint)listener.LocalEndpoint).Port}/_matrix/push/v1/notify";

        using (var guarded = new GuardedHttpClient(new OutboundAddressPolicy([]), new PushOptions().RequestTimeout.Value))
        {
            var e = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.SendAsync(Post(url), CancellationToken.None));
            Assert.True(GuardedHttpClient.IsRefusal(e));
            Assert.False(listener.Pending(), "a connection reached the refused address");
        }

        using var allowed = new GuardedHttpClient(new OutboundAddressPolicy(["127.0.0.1/32", "::1/128"]), TimeSpan.FromSeconds(1));
        var attempt = allowed.SendAsync(Post(url), CancellationToken.None);
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(accepted.Connected);
        await Assert.ThrowsAnyAsync<Exception>(() => attempt);
    }

    private static HttpRequestMessage Post(string url) => new(HttpMethod.Post, url) { Content = new StringContent("{}") };
}
