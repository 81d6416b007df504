using System.Security.Claims;
using Homeserver.Core.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Homeserver.Core.Accounts.Tokens;

/// <summary>
/// Signs access tokens as JWTs bound to a session row. The signature makes forged tokens fail without a
/// database read; the session row (checked through <see cref="SessionValidator"/>) makes logout immediate.
/// </summary>
public sealed class AccessTokenIssuer
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly string _serverName;

    public AccessTokenIssuer(ServerIdentity server, TokenSigningKey key)
    {
        _serverName = server.ServerName;
        var securityKey = new SymmetricSecurityKey(key.Key) { KeyId = "access" };
        _credentials = new SigningCredentials(securityKey, SecurityAlgorithms.HmacSha256);
        ValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = _serverName,
            ValidAudience = _serverName,
            IssuerSigningKey = securityKey,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = false,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.Zero,
            NameClaimType = AccessTokenClaims.UserId,
        };
    }

    public TokenValidationParameters ValidationParameters { get; }

    public string Create(string userId, string deviceId, string sessionId, bool guest, DateTimeOffset issuedAt, DateTimeOffset? expires)
    {
        List<Claim> claims =
        [
            new(AccessTokenClaims.UserId, userId),
            new(AccessTokenClaims.DeviceId, deviceId),
            new(AccessTokenClaims.SessionId, sessionId),
        ];
        if (guest)
            claims.Add(new Claim(AccessTokenClaims.Guest, "true"));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _serverName,
            Audience = _serverName,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime.AddSeconds(-30),
            Expires = expires?.UtcDateTime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = _credentials,
        };
        return _handler.CreateToken(descriptor);
    }
}
