using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 8: X-Forwarded-For was ignored, so behind a reverse proxy every per-address limit was
/// server-wide. With the proxy in <c>trusted_proxies</c>, each forwarded client has its own address (rate-limit
/// buckets, WebSocket cap, a device's last-seen address); from an untrusted peer the header changes nothing.
/// </summary>
public sealed class TrustedProxyTests
{
    private static Task<TestHomeserver> StartAsync(params string[] trustedProxies) => TestHomeserver.StartAsync("sqlite", o =>
    {
        o.TrustedProxies = [.. trustedProxies];
        o.RateLimits = new RateLimitsOptions();
        o.RateLimits.Login = new() { PerSecond = 0.003, BurstCount = 2 };
        o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
        o.Limits.MaxWebsocketsPerAddress = 1;
    });

    private static async Task<HttpStatusCode> LoginFromAsync(TestHomeserver hs, string forwardedFor)
    {
        // A different account each time, so only the per-address limit can trip, not the per-account one.
        using var req = new HttpRequestMessage(HttpMethod.Post, "/_matrix/client/v3/login")
        {
            Content = JsonContent.Create(new { type = "m.login.password", identifier = new { type = "m.id.user", user = "nobody" + Guid.NewGuid().ToString("N")[..8] }, password = "x" }),
        };
        req.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await hs.Client.SendAsync(req)).StatusCode;
    }

    private static async Task<HttpStatusCode[]> ExhaustAsync(TestHomeserver hs, string forwardedFor) =>
        [await LoginFromAsync(hs, forwardedFor), await LoginFromAsync(hs, forwardedFor), await LoginFromAsync(hs, forwardedFor)];

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]
    public async Task FromATrustedProxy_EachForwardedClientHasItsOwnBucket(string trusted)
    {
        await using var hs = await StartAsync(trusted);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests], await ExhaustAsync(hs, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Forbidden, await LoginFromAsync(hs, "203.0.113.2"));
        // A chain: the client as the first proxy saw it, then a proxy that is not trusted. The untrusted hop is the client.
        Assert.Equal(HttpStatusCode.Forbidden, await LoginFromAsync(hs, "203.0.113.1, 198.51.100.7"));
    }

    [Fact]
    public async Task AnIPv6Client_CountsPerSlash64_AndAMappedIPv4AsItsIPv4()
    {
        // Found by the re-test: every address of one /64 had its own bucket, and ::ffff:a.b.c.d another than a.b.c.d.
        await using var hs = await StartAsync("127.0.0.1");
        Assert.Equal(HttpStatusCode.Forbidden, await LoginFromAsync(hs, "2001:db8:1:2::1"));
        Assert.Equal(HttpStatusCode.Forbidden, await LoginFromAsync(hs, "2001:db8:1:2::2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginFromAsync(hs, "2001:db8:1:2:ffff::7"));
        Assert.Equal(HttpStatusCode.Forbidden, await LoginFromAsync(hs, "2001:db8:1:3::1"));

        Assert.Equal(HttpStatusCode.Forbidden, await LoginFromAsync(hs, "203.0.113.9"));
        Assert.Equal(HttpStatusCode.Forbidden, await LoginFromAsync(hs, "203.0.113.9"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginFromAsync(hs, "::ffff:203.0.113.9"));
    }

    [Fact]
    public async Task FromAnUntrustedPeer_ASpoofedHeaderDoesNotChangeTheBucket()
    {
        await using var hs = await StartAsync("10.0.0.0/8");
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests], await ExhaustAsync(hs, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginFromAsync(hs, "203.0.113.2"));
    }

    [Fact]
    public async Task ByDefault_NoPeerIsTrusted()
    {
        await using var hs = await StartAsync();
        await ExhaustAsync(hs, "203.0.113.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginFromAsync(hs, "203.0.113.2"));
    }

    [Fact]
    public async Task FromATrustedProxy_DevicesRecordTheClientsAddress()
    {
        await using var hs = await StartAsync("127.0.0.1");
        var user = await hs.RegisterAsync();
        using var req = new HttpRequestMessage(HttpMethod.Post, "/_matrix/client/v3/login")
        {
            Content = JsonContent.Create(new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password }),
        };
        req.Headers.Add("X-Forwarded-For", "203.0.113.9");
        var login = await (await hs.Client.SendAsync(req)).AssertOkAsync();
        // Through the proxy as well, as every request of a client behind it comes: the read itself records the
        // session's activity beside it, with the address it arrives from.
        using var c = hs.NewClient(login.GetProperty("access_token").GetString());
        c.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");
        var device = await (await c.GetAsync("/_matrix/client/v3/devices/" + login.GetProperty("device_id").GetString())).AssertOkAsync();
        Assert.Equal("203.0.113.9", device.GetProperty("last_seen_ip").GetString());
    }

    [Fact]
    public async Task FromATrustedProxy_TheWebSocketCapIsPerForwardedClient()
    {
        await using var hs = await StartAsync("127.0.0.1");
        var user = await hs.RegisterAsync();
        var uri = new UriBuilder(hs.BaseAddress) { Scheme = "ws", Path = "/_matrix/client/v3/sync", Query = "access_token=" + Uri.EscapeDataString(user.AccessToken) }.Uri;
        async Task<ClientWebSocket> ConnectFromAsync(string forwardedFor)
        {
            var ws = new ClientWebSocket();
            ws.Options.SetRequestHeader("X-Forwarded-For", forwardedFor);
            await ws.ConnectAsync(uri, CancellationToken.None);
            return ws;
        }
        using var first = await ConnectFromAsync("203.0.113.1");
        using var other = await ConnectFromAsync("203.0.113.2");
        Assert.Equal(WebSocketState.Open, other.State);
        await Assert.ThrowsAnyAsync<WebSocketException>(() => ConnectFromAsync("203.0.113.1"));
    }
}
