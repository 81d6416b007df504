using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Microsoft.Extensions.Logging;
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
    private readonly ILogger<JwtLoginValidator> _log;

    public JwtLoginValidator(AuthOptions auth, ILogger<JwtLoginValidator> log)
    {
        _log = log;
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
        {
            // The exception's type says why (expired, bad signature, wrong issuer); its message may quote the token.
            var reason = result.Exception?.GetType().Name ?? "invalid token";
            _log.LogInformation("JWT login refused: {Reason}", reason);
            throw MatrixException.Forbidden("JWT validation failed: " + reason);
        }
        if (!result.Claims.TryGetValue(_options.SubjectClaim, out var subject) || subject is not string localpart || localpart.Length == 0)
        {
            _log.LogInformation("JWT login refused: the token has no {Claim} claim", _options.SubjectClaim);
            throw MatrixException.Forbidden($"JWT has no '{_options.SubjectClaim}' claim");
        }
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
