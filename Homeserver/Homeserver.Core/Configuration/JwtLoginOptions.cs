namespace Homeserver.Core.Configuration;

/// <summary>Login with a JWT from the organisation's own identity provider (<c>org.matrix.login.jwt</c>).</summary>
public sealed class JwtLoginOptions
{
    public bool Enabled { get; set; }
    /// <summary>HS256/HS384/HS512 with <see cref="Secret"/>, or RS256/ES256 (and friends) with <see cref="PublicKeyPath"/>.</summary>
    public string Algorithm { get; set; } = "HS256";
    public string? Secret { get; set; }
    /// <summary>PEM public key of the identity provider, for asymmetric algorithms.</summary>
    public string? PublicKeyPath { get; set; }
    public string? Issuer { get; set; }
    public List<string> Audiences { get; set; } = [];
    /// <summary>Claim holding the Matrix localpart.</summary>
    public string SubjectClaim { get; set; } = "sub";
}
