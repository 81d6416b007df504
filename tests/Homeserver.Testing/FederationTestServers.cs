using Homeserver.Core.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Homeserver.Testing;

/// <summary>
/// Servers of ours that federate with each other on loopback: each named <c>localhost:PORT</c> after its TLS
/// listener (a certificate of the test CA, which every one of them trusts), with loopback allow-listed for
/// federation. Clients use the plain listener, <see cref="TestHomeserver.BaseAddress"/>.
/// </summary>
public static class FederationTestServers
{
    public static async Task<TestHomeserver> StartAsync(string engine, TestCertificateAuthority ca,
        Action<HomeserverOptions>? configure = null, Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        var port = TestPorts.Free();
        var (certificate, key) = ca.Issue();
        options.ServerName = $"localhost:{port}";
        options.Listeners =
        [
            new ListenerOptions { BindAddress = "127.0.0.1", Port = 0 },
            new ListenerOptions { BindAddress = "127.0.0.1", Port = port, Tls = new TlsOptions { CertificatePath = certificate, KeyPath = key } },
        ];
        options.Federation = new FederationOptions { ExtraCaBundle = ca.CaPath, AllowedIpRanges = ["127.0.0.1/32", "::1/128"] };
        configure?.Invoke(options);
        return await TestHomeserver.StartAsync(options, configureBuilder);
    }
}
