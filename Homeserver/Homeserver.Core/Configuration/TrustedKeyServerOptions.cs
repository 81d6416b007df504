namespace Homeserver.Core.Configuration;

/// <summary>
/// A notary server. With <see cref="KeyId"/> and <see cref="Key"/> its answers must carry that key's signature;
/// without them, the key it publishes itself (fetched over verified TLS) is trusted.
/// </summary>
public sealed class TrustedKeyServerOptions
{
    public string ServerName { get; set; } = "";
    /// <summary>The pinned key's ID, e.g. <c>ed25519:auto</c>.</summary>
    public string? KeyId { get; set; }
    /// <summary>The pinned Ed25519 public key, unpadded Base64.</summary>
    public string? Key { get; set; }
}
