namespace Homeserver.Core.Configuration;

/// <summary>
/// Calls to identity servers that clients name (binding and unbinding third-party IDs, third-party invites). The
/// address is the client's choice, so it goes through the outbound address policy as push gateways do.
/// </summary>
public sealed class IdentityServerOptions
{
    /// <summary>Time allowed for one request to an identity server.</summary>
    public Duration RequestTimeout { get; set; } = new(TimeSpan.FromSeconds(15));
    /// <summary>CIDR ranges exempt from the refusal of private, loopback and link-local identity servers.</summary>
    public List<string> AllowedIpRanges { get; set; } = [];
    /// <summary>Accept any certificate from identity servers. For test suites with self-signed identity servers only.</summary>
    public bool InsecureSkipTlsVerifyForTestsOnly { get; set; }
}
