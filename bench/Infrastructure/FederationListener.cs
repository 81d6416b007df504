using Homeserver.Testing;

namespace Homeserver.Bench.Infrastructure;

/// <summary>
/// A server's TLS listener for federation on loopback, with a certificate of the run's own CA, which every server
/// of the run trusts; loopback is allow-listed for outbound federation, which is otherwise denied it.
/// </summary>
public sealed record FederationListener(int Port, string CertificatePath, string KeyPath, string CaPath)
{
    public static FederationListener Issue(TestCertificateAuthority ca)
    {
        var (certificate, key) = ca.Issue();
        return new FederationListener(ChildProcess.FreePort(), certificate, key, ca.CaPath);
    }

    public string ListenerYaml => $"""
          - bind_address: 127.0.0.1
            port: {Port}
            tls:
              certificate_path: {CertificatePath}
              key_path: {KeyPath}
        """;

    // A destination that failed during set-up is retried within a second rather than the default ten minutes.
    public string FederationYaml => $"""
        federation:
          extra_ca_bundle: {CaPath}
          allowed_ip_ranges: ["127.0.0.1/32", "::1/128"]
          destination_min_retry_interval: 1s
        """;
}
