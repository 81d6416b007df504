using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Synapse's admin registration scheme (<c>/_synapse/admin/v1/register</c>): a single-use nonce, then an
/// HMAC-SHA1 over nonce, user, password and admin flag keyed with the configured shared secret.
/// </summary>
public sealed class SharedSecretRegistration(RegistrationOptions registration, TimeProvider time, ILogger<SharedSecretRegistration> log)
{
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nonces = new();

    public bool Enabled => !string.IsNullOrEmpty(registration.SharedSecret);

    public string NewNonce()
    {
        EnsureEnabled();
        var now = time.GetUtcNow();
        foreach (var (n, issued) in _nonces)
            if (now - issued > NonceLifetime)
                _nonces.TryRemove(n, out _);
        var nonce = SecureTokens.Secret(24);
        _nonces[nonce] = now;
        return nonce;
    }

    /// <summary>Consumes the nonce and checks the MAC; throws a Matrix error when either is wrong.</summary>
    public void Verify(string nonce, string username, string password, bool admin, string? userType, string mac)
    {
        EnsureEnabled();
        if (!_nonces.TryRemove(nonce, out var issued) || time.GetUtcNow() - issued > NonceLifetime)
        {
            log.LogWarning("Shared-secret registration of {Username} refused: unknown or expired nonce", username);
            throw new MatrixException(400, ErrorCodes.Unknown, "Unrecognised or expired nonce");
        }
        var expected = ComputeMac(registration.SharedSecret!, nonce, username, password, admin, userType);
        byte[] given;
        try { given = Convert.FromHexString(mac); }
        catch (FormatException) { given = []; }
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
        {
            log.LogWarning("Shared-secret registration of {Username} refused: wrong HMAC (a wrong shared secret?)", username);
            throw MatrixException.Forbidden("HMAC incorrect");
        }
    }

    [SuppressMessage("Security", "CA5350", Justification = "The scheme is Synapse's, and it specifies HMAC-SHA1.")]
    public static byte[] ComputeMac(string secret, string nonce, string username, string password, bool admin, string? userType)
    {
        var message = $"{nonce}\0{username}\0{password}\0{(admin ? "admin" : "notadmin")}" + (userType is null ? "" : "\0" + userType);
        return HMACSHA1.HashData(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(message));
    }

    private void EnsureEnabled()
    {
        if (!Enabled)
            throw MatrixException.Forbidden("Shared secret registration is not enabled");
    }
}
