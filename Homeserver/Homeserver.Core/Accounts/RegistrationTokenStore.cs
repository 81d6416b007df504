using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

public sealed class RegistrationTokenStore(Database db)
{
    private const string Columns = "token, uses_allowed, pending, completed, expiry_time";
    // A token is usable while its uses, pending ones included, stay below the allowance and it has not expired.
    private const string Usable = "(uses_allowed IS NULL OR pending + completed < uses_allowed) AND (expiry_time IS NULL OR expiry_time > @Now)";
    private const string SelectAll = $"SELECT {Columns} FROM registration_tokens ORDER BY token";
    private const string SelectUsable = $"SELECT {Columns} FROM registration_tokens WHERE {Usable} ORDER BY token";
    private const string SelectUnusable = $"SELECT {Columns} FROM registration_tokens WHERE NOT ({Usable}) ORDER BY token";
    private const string SelectOne = $"SELECT {Columns} FROM registration_tokens WHERE token = @Token";
    private const string Insert = $"""
        INSERT INTO registration_tokens ({Columns}) VALUES (@Token, @UsesAllowed, 0, 0, @ExpiryTime)
        ON CONFLICT (token) DO NOTHING
        """;
    private const string Update = "UPDATE registration_tokens SET uses_allowed = @UsesAllowed, expiry_time = @ExpiryTime WHERE token = @Token";
    private const string DeleteOne = "DELETE FROM registration_tokens WHERE token = @Token";
    private const string TakePending = $"UPDATE registration_tokens SET pending = pending + 1 WHERE token = @Token AND {Usable}";
    private const string Complete = "UPDATE registration_tokens SET pending = pending - 1, completed = completed + 1 WHERE token = @Token AND pending > 0";
    private const string ReleaseExpired = """
        UPDATE registration_tokens SET pending = pending - (SELECT COUNT(*) FROM uia_sessions s
            WHERE s.registration_token = registration_tokens.token AND s.created_ts < @Before)
        WHERE token IN (SELECT registration_token FROM uia_sessions WHERE created_ts < @Before AND registration_token IS NOT NULL)
        """;

    /// <summary>Every token, or (with <paramref name="valid"/>) only the usable or only the unusable ones at <paramref name="now"/>.</summary>
    public Task<IReadOnlyList<RegistrationTokenRecord>> ListAsync(bool? valid, long now, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<RegistrationTokenRecord>(valid switch { true => SelectUsable, false => SelectUnusable, null => SelectAll },
            new { Now = now }, ct), ct);

    public Task<RegistrationTokenRecord?> GetAsync(string token, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<RegistrationTokenRecord>(SelectOne, new { Token = token }, ct), ct);

    /// <summary>False when the token exists already.</summary>
    public async Task<bool> InsertAsync(string token, long? usesAllowed, long? expiryTime, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(Insert, new { Token = token, UsesAllowed = usesAllowed, ExpiryTime = expiryTime }, ct, tx), ct) == 1;

    /// <summary>False when there is no such token.</summary>
    public async Task<bool> UpdateAsync(RegistrationTokenRecord token, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(Update, token, ct, tx), ct) == 1;

    public async Task<bool> DeleteAsync(string token, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(DeleteOne, new { Token = token }, ct, tx), ct) == 1;

    /// <summary>Counts a pending use of the token when it is usable at <paramref name="now"/>; false otherwise.</summary>
    public static async Task<bool> TakePendingAsync(DbConnection c, DbTransaction tx, string token, long now, CancellationToken ct) =>
        await c.RunAsync(TakePending, new { Token = token, Now = now }, ct, tx) == 1;

    /// <summary>Turns a pending use into a completed one: the registration it was taken for has created its account.</summary>
    public static Task CompleteAsync(DbConnection c, DbTransaction tx, string token, CancellationToken ct) =>
        c.RunAsync(Complete, new { Token = token }, ct, tx);

    /// <summary>Gives back the pending uses of UIA sessions that expired before <paramref name="before"/> unfinished.</summary>
    public static Task ReleaseExpiredAsync(DbConnection c, DbTransaction tx, long before, CancellationToken ct) =>
        c.RunAsync(ReleaseExpired, new { Before = before }, ct, tx);
}
