using System.Security.Cryptography;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Json;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Registration tokens (<c>m.login.registration_token</c>): the config's, which never run out, and the ones admins
/// hand out through Synapse's admin API, kept in the database with an allowance of uses and an expiry. A registration
/// holds a pending use from its token stage until its account exists (then the use is completed) or its UIA session
/// expires (then the use is given back), as in Synapse.
/// </summary>
public sealed class RegistrationTokenService(Database db, RegistrationTokenStore store, RegistrationOptions options, TimeProvider time)
{
    public const int MaxLength = 64;
    public const int DefaultLength = 16;
    private const string TokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";

    /// <summary>Whether a registration could use the token now (the validity endpoint); takes no use.</summary>
    public async Task<bool> IsValidAsync(string token, CancellationToken ct) =>
        IsConfigured(token) || await store.GetAsync(token, ct) is { } row && IsUsable(row, Now());

    /// <summary>
    /// The token stage of the UIA session <paramref name="sessionId"/>: a configured token passes; a database token passes
    /// when it is usable, and the session then holds a pending use of it (once, however often the stage is repeated).
    /// </summary>
    public async Task<bool> TryUseAsync(string token, string sessionId, CancellationToken ct)
    {
        if (IsConfigured(token))
            return true;
        return await db.WriteAsync(async (c, tx) =>
        {
            if (await UiaSessionStore.GetRegistrationTokenAsync(c, tx, sessionId, ct) is { } held)
                return held == token;
            if (!await RegistrationTokenStore.TakePendingAsync(c, tx, token, Now(), ct))
                return false;
            await UiaSessionStore.SetRegistrationTokenAsync(c, tx, sessionId, token, ct);
            return true;
        }, ct);
    }

    public Task<IReadOnlyList<RegistrationTokenRecord>> ListAsync(bool? valid, CancellationToken ct) => store.ListAsync(valid, Now(), ct);

    public async Task<RegistrationTokenRecord> GetAsync(string token, CancellationToken ct) =>
        await store.GetAsync(token, ct) ?? throw MatrixException.NotFound($"No such registration token: {token}");

    /// <summary>Creates a token: the one given, or a random one of <paramref name="length"/> characters (16 when null).</summary>
    public async Task<RegistrationTokenRecord> CreateAsync(string? token, long? length, long? usesAllowed, long? expiryTime, CancellationToken ct)
    {
        if (token is not null)
        {
            if (token.Length is 0 or > MaxLength || token.Any(ch => !TokenChars.Contains(ch)))
                throw MatrixException.InvalidParam($"token must consist of between 1 and {MaxLength} characters of [A-Za-z0-9._~-]");
        }
        else if (length is < 1 or > MaxLength)
            throw MatrixException.InvalidParam($"length must be an integer between 1 and {MaxLength}");
        CheckLimits(usesAllowed, expiryTime);
        if (token is not null)
        {
            if (!await store.InsertAsync(token, usesAllowed, expiryTime, ct))
                throw MatrixException.InvalidParam($"Token already exists: {token}");
            return await GetAsync(token, ct);
        }
        // A random token may collide with an existing one; another draw settles it.
        while (true)
        {
            var drawn = RandomNumberGenerator.GetString(TokenChars, (int)(length ?? DefaultLength));
            if (await store.InsertAsync(drawn, usesAllowed, expiryTime, ct))
                return await GetAsync(drawn, ct);
        }
    }

    /// <summary>Changes what <paramref name="setUses"/> and <paramref name="setExpiry"/> say to change (null in them is unlimited, never).</summary>
    public async Task<RegistrationTokenRecord> UpdateAsync(string token, Optional<long?> setUses, Optional<long?> setExpiry, CancellationToken ct)
    {
        var row = await GetAsync(token, ct);
        if (setUses.IsSet)
            row.UsesAllowed = setUses.Value;
        if (setExpiry.IsSet)
            row.ExpiryTime = setExpiry.Value;
        CheckLimits(setUses.IsSet ? setUses.Value : null, setExpiry.IsSet ? setExpiry.Value : null);
        if (!await store.UpdateAsync(row, ct))
            throw MatrixException.NotFound($"No such registration token: {token}");
        return await GetAsync(token, ct);
    }

    public async Task DeleteAsync(string token, CancellationToken ct)
    {
        if (!await store.DeleteAsync(token, ct))
            throw MatrixException.NotFound($"No such registration token: {token}");
    }

    private void CheckLimits(long? usesAllowed, long? expiryTime)
    {
        if (usesAllowed is < 0)
            throw MatrixException.InvalidParam("uses_allowed must be a non-negative integer or null");
        if (expiryTime is { } expiry && expiry < Now())
            throw MatrixException.InvalidParam("expiry_time must not be in the past");
    }

    private static bool IsUsable(RegistrationTokenRecord row, long now) =>
        (row.UsesAllowed is null || row.Pending + row.Completed < row.UsesAllowed) && (row.ExpiryTime is null || row.ExpiryTime > now);

    /// <summary>Compares with every configured token, so the time taken tells nothing of which prefix matched.</summary>
    private bool IsConfigured(string token)
    {
        var given = System.Text.Encoding.UTF8.GetBytes(token);
        var ok = false;
        foreach (var configured in options.Tokens)
            ok |= CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.UTF8.GetBytes(configured));
        return ok;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
