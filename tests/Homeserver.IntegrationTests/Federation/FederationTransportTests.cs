using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Outbound;
using Homeserver.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Reaching another server of ours over TLS on loopback: discovery through a well-known delegation, certificates
/// checked against the test CA given as the extra bundle, and the address policy.
/// </summary>
public sealed class FederationTransportTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Fact]
    public async Task WellKnownDelegation_OnLoopback_IsFollowed()
    {
        await using var target = await FederationTestServers.StartAsync("sqlite", _ca);
        var seen = new List<string>();
        await using var wellKnown = await StartWellKnownAsync(target.Options.ServerName, seen);
        await using var origin = await FederationTestServers.StartAsync("sqlite", _ca);

        // "localhost" has no port: the well-known answer on https://localhost/ names the target's TLS listener.
        var keys = await origin.Services.GetRequiredService<FederationClient>()
            .SendForJsonAsync(HttpMethod.Get, "localhost", "/_matrix/key/v2/server", null, CancellationToken.None);

        Assert.Equal(target.Options.ServerName, keys["server_name"]!.GetValue<string>());
        Assert.Equal(["localhost /.well-known/matrix/server"], seen);
    }

    [Fact]
    public async Task CertificateOfAnUnknownCa_IsRefused_UnlessTheInsecureSwitchIsOn()
    {
        await using var target = await FederationTestServers.StartAsync("sqlite", _ca);
        await using var strict = await FederationTestServers.StartAsync("sqlite", _ca, o => o.Federation.ExtraCaBundle = null);
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => strict.Services.GetRequiredService<FederationClient>()
            .SendAsync(HttpMethod.Get, target.Options.ServerName, "/_matrix/key/v2/server", null, CancellationToken.None));
        Assert.IsType<AuthenticationException>(e.InnerException);

        await using var insecure = await FederationTestServers.StartAsync("sqlite", _ca, o =>
        {
            o.Federation.ExtraCaBundle = null;
            o.Federation.InsecureSkipTlsVerifyForTestsOnly = true;
        });
        var answer = await insecure.Services.GetRequiredService<FederationClient>()
            .SendAsync(HttpMethod.Get, target.Options.ServerName, "/_matrix/key/v2/server", null, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Fact]
    public async Task CertificateForAnotherName_IsRefused_EvenFromTheTrustedCa()
    {
        var (certificate, key) = _ca.Issue("other.example");
        await using var target = await FederationTestServers.StartAsync("sqlite", _ca,
            o => o.Listeners[1].Tls = new() { CertificatePath = certificate, KeyPath = key });
        await using var origin = await FederationTestServers.StartAsync("sqlite", _ca);
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => origin.Services.GetRequiredService<FederationClient>()
            .SendAsync(HttpMethod.Get, target.Options.ServerName, "/_matrix/key/v2/server", null, CancellationToken.None));
        Assert.IsType<AuthenticationException>(e.InnerException);
    }

    [Fact]
    public async Task LoopbackServer_IsRefusedBeforeConnecting_UnlessAllowListed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var origin = await FederationTestServers.StartAsync("sqlite", _ca, o => o.Federation.AllowedIpRanges = []);
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => origin.Services.GetRequiredService<FederationClient>()
            .SendAsync(HttpMethod.Get, $"localhost:{((IPEndPoint)listener.LocalEndpoint).Port}", "/_matrix/key/v2/server", null, CancellationToken.None));
        Assert.True(GuardedHttpClient.IsRefusal(e));
        Assert.False(listener.Pending(), "a connection reached the refused address");
    }

    [Fact]
    public async Task DisabledFederation_SendsNothing()
    {
        await using var target = await FederationTestServers.StartAsync("sqlite", _ca);
        await using var origin = await FederationTestServers.StartAsync("sqlite", _ca, o => o.Federation.Enabled = false);
        var e = await Assert.ThrowsAsync<FederationRequestException>(() => origin.Services.GetRequiredService<FederationClient>()
            .SendAsync(HttpMethod.Get, target.Options.ServerName, "/_matrix/key/v2/server", null, CancellationToken.None));
        Assert.Contains("federation.enabled", e.Message);
    }

    /// <summary>
    /// https://localhost/.well-known/matrix/server answering <paramref name="delegateTo"/>. Well-known lives on port
    /// 443 by the spec, so this needs the right to bind it (root, or CAP_NET_BIND_SERVICE), which CI has.
    /// </summary>
    private async Task<LoopbackWebApp> StartWellKnownAsync(string delegateTo, List<string> seen)
    {
        var (certificate, key) = _ca.Issue();
        try
        {
            return await LoopbackWebApp.StartAsync(app => app.MapGet("/.well-known/matrix/server", (HttpContext ctx) =>
            {
                lock (seen)
                    seen.Add($"{ctx.Request.Host} {ctx.Request.Path}");
                return Results.Json(new Dictionary<string, string> { ["m.server"] = delegateTo });
            }), 443, System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException("The well-known test binds 127.0.0.1:443 and could not (run as root or with CAP_NET_BIND_SERVICE)", e);
        }
    }

    public void Dispose() => _ca.Dispose();
}
