using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Homeserver.Core.Configuration;
using Homeserver.Core.Observability;
using Homeserver.Core.Outbound;

namespace Homeserver.Core.Federation.Client;

/// <summary>
/// The connections to other homeservers: the guarded client with federation's address policy and timeouts, and
/// certificates checked against the system store plus the configured extra CA bundle (or not at all, on a test
/// network that says so).
/// </summary>
public sealed class FederationHttp : IDisposable
{
    private readonly X509Certificate2Collection _extraRoots = [];
    private readonly bool _insecure;

    /// <param name="caBundlePath">The extra CA bundle, already resolved against the data directory; null for none.</param>
    public FederationHttp(FederationOptions options, string? caBundlePath, TrustedTracePropagator tracePropagator)
    {
        if (caBundlePath is not null)
            _extraRoots.ImportFromPemFile(caBundlePath);
        var policy = new OutboundAddressPolicy(options.AllowedIpRanges, options.DeniedIpRanges);
        _insecure = options.InsecureSkipTlsVerifyForTestsOnly;
        RemoteCertificateValidationCallback? check = _insecure || _extraRoots.Count > 0 ? Check : null;
        Client = new GuardedHttpClient(policy, options.RequestTimeout.Value, options.ConnectTimeout.Value, check, tracePropagator);
    }

    public GuardedHttpClient Client { get; }


    /// <summary>
    /// Accepts what the system accepts; a certificate whose only fault is a chain the system does not trust is
    /// accepted when it chains to one of the extra roots. A wrong name is never accepted, unless nothing is checked.
    /// </summary>
    private bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_insecure || errors == SslPolicyErrors.None)
            return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
            return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var element in chain.ChainElements)
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    public void Dispose()
    {
        Client.Dispose();
        foreach (var root in _extraRoots)
            root.Dispose();
    }
}
