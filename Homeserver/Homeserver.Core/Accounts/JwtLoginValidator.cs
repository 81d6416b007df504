using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Checks a JWT from the organisation's identity provider (<c>org.matrix.login.jwt</c>) against the configured
/// key, algorithm, issuer and audiences, and returns the localpart it vouches for.
/// </summary>
public sealed class JwtLoginValidator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters? _parameters;
    private readonly JwtLoginOptions _options;

    public JwtLoginValidator(AuthOptions auth)
    {
        _options = auth.JwtLogin;
        if (!_options.Enabled)
            return;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = LoadKey(_options),
            ValidAlgorithms = [_options.Algorithm],
            ValidateIssuer = _options.Issuer is not null,
            ValidIssuer = _options.Issuer,
            ValidateAudience = _options.Audiences.Count > 0,
            ValidAudiences = _options.Audiences,
            ValidateLifetime = true,
            RequireExpirationTime = false,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
    }

    public bool Enabled => _parameters is not null;

    public async Task<string> ValidateAsync(string token)
    {
        if (_parameters is null)
            throw new MatrixException(400, ErrorCodes.Unknown, "JWT login is not enabled on this server");
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
            throw MatrixException.Forbidden("JWT validation failed: " + (result.Exception?.GetType().Name ?? "invalid token"));
        if (!result.Claims.TryGetValue(_options.SubjectClaim, out var subject) || subject is not string localpart || localpart.Length == 0)
            throw MatrixException.Forbidden($"JWT has no '{_options.SubjectClaim}' claim");
        return localpart.ToLowerInvariant();
    }

    private static SecurityKey LoadKey(JwtLoginOptions o)
    {
        if (o.Algorithm.StartsWith("HS", StringComparison.Ordinal))
            return new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(o.Secret!));
        var pem = File.ReadAllText(o.PublicKeyPath!);
        if (o.Algorithm.StartsWith("ES", StringComparison.Ordinal))
        {
            var ec = System.Security.Cryptography.ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(pem);
        return new RsaSecurityKey(rsa);
    }
}
