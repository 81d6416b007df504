namespace Homeserver.Core.Configuration;

/// <summary>Talking to other homeservers: whom we reach, how we trust their certificates and keys, how long we wait.</summary>
public sealed class FederationOptions
{
    /// <summary>When off, the federation endpoints (all but the version and our key) answer 404 and no request leaves the server.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Notary servers asked for another server's keys (<c>POST /_matrix/key/v2/query</c>) when the server cannot give them itself.</summary>
    public List<TrustedKeyServerOptions> TrustedKeyServers { get; set; } = [];
    /// <summary>PEM file of CA certificates trusted besides the system's (a private network's CA, a test CA).</summary>
    public string? ExtraCaBundle { get; set; }
    /// <summary>Accepts any certificate from any server: a test network's switch, never for production.</summary>
    public bool InsecureSkipTlsVerifyForTestsOnly { get; set; }
    /// <summary>CIDR ranges federation may reach although private, loopback or in <see cref="DeniedIpRanges"/>.</summary>
    public List<string> AllowedIpRanges { get; set; } = [];
    /// <summary>CIDR ranges refused besides the built-in private, loopback and link-local ones.</summary>
    public List<string> DeniedIpRanges { get; set; } = [];
    /// <summary>Time allowed to open a connection to another server.</summary>
    public Duration ConnectTimeout { get; set; } = new(TimeSpan.FromSeconds(10));
    /// <summary>Time allowed for one request to another server, the whole answer included.</summary>
    public Duration RequestTimeout { get; set; } = new(TimeSpan.FromSeconds(60));
    /// <summary>Wait before the first retry of a destination whose transaction failed (Synapse's default).</summary>
    public Duration DestinationMinRetryInterval { get; set; } = new(TimeSpan.FromMinutes(10));
    /// <summary>Factor the wait grows by with each further failure.</summary>
    public double DestinationRetryMultiplier { get; set; } = 2;
    /// <summary>Longest wait between retries of a destination that stays down.</summary>
    public Duration DestinationMaxRetryInterval { get; set; } = new(TimeSpan.FromDays(7));
}
