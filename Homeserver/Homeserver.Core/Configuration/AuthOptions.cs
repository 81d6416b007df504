namespace Homeserver.Core.Configuration;

public sealed class AuthOptions
{
    /// <summary>
    /// Lifetime of access tokens issued to clients that asked for a refresh token. Clients that did not
    /// ask get tokens that live until logout, since they have no way to renew them.
    /// </summary>
    public Duration AccessTokenLifetime { get; set; } = new(TimeSpan.FromMinutes(5));
    /// <summary>Lifetime of an unused refresh token.</summary>
    public Duration RefreshTokenLifetime { get; set; } = new(TimeSpan.FromDays(30));
    /// <summary>Key that signs access-token JWTs; generated on first start when missing. Relative to the data directory.</summary>
    public string TokenKeyPath { get; set; } = "access_token.key";
    public int PasswordMinLength { get; set; } = 8;
    /// <summary>Argon2id memory in KiB and passes (OWASP's 19 MiB / 2 passes by default).</summary>
    public int Argon2MemoryKib { get; set; } = 19456;
    public int Argon2Iterations { get; set; } = 2;
    public JwtLoginOptions JwtLogin { get; set; } = new();
}
