using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Synapse's admin registration scheme (<c>/_synapse/admin/v1/register</c>): a single-use nonce, then an
/// HMAC-SHA1 over nonce, user, password and admin flag keyed with the configured shared secret. On several nodes
/// the nonces live in Redis (<c>PREFIX:register_nonce:NONCE</c>, expiring with the nonce), so a nonce fetched through
/// one node is taken once through any; one issued while Redis was unreachable is known to its node alone.
/// </summary>
public sealed class SharedSecretRegistration(RegistrationOptions registration, TimeProvider time, ILogger<SharedSecretRegistration> log,
    RedisConnection? redis = null)
{
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nonces = new();

    public bool Enabled => !string.IsNullOrEmpty(registration.SharedSecret);

    public async Task<string> NewNonceAsync(CancellationToken ct)
    {
        EnsureEnabled();
        var nonce = SecureTokens.Secret(24);
        if (redis is { Multiplexer.IsConnected: true })
        {
            try
            {
                await redis.Database.StringSetAsync(NonceKey(nonce), 1, NonceLifetime).WaitAsync(ct);
                return nonce;
            }
            catch (RedisException e)
            {
                log.LogDebug(e, "Could not store a registration nonce in Redis; keeping it on this node");
            }
        }
        var now = time.GetUtcNow();
        foreach (var (n, issued) in _nonces)
            if (now - issued > NonceLifetime)
                _nonces.TryRemove(n, out _);
        _nonces[nonce] = now;
        return nonce;
    }

    /// <summary>Consumes the nonce and checks the MAC; throws a Matrix error when either is wrong.</summary>
    public async Task VerifyAsync(string nonce, string username, string password, bool admin, string? userType, string mac, CancellationToken ct)
    {
        EnsureEnabled();
        if (!await TakeNonceAsync(nonce, ct))
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

    private async Task<bool> TakeNonceAsync(string nonce, CancellationToken ct)
    {
        if (_nonces.TryRemove(nonce, out var issued))
            return time.GetUtcNow() - issued <= NonceLifetime;
        if (redis is null)
            return false;
        try
        {
            // GETDEL: of two nodes taking one nonce at once, one gets it.
            return !(await redis.Database.StringGetDeleteAsync(NonceKey(nonce)).WaitAsync(ct)).IsNull;
        }
        catch (RedisException e)
        {
            log.LogWarning(e, "Could not look up a registration nonce in Redis");
            return false;
        }
    }

    private RedisKey NonceKey(string nonce) => $"{redis!.Prefix}:register_nonce:{nonce}";

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
