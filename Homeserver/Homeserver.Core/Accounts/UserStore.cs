using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

public sealed class UserStore(Database db)
{
    private const string SelectUser = "SELECT * FROM users WHERE user_id = @UserId";
    private const string SelectExists = "SELECT COUNT(*) FROM users WHERE user_id = @UserId";
    private const string InsertUser = """
        INSERT INTO users (user_id, localpart, password_hash, is_admin, is_deactivated, is_guest, displayname, created_ts)
        VALUES (@UserId, @Localpart, @PasswordHash, @IsAdmin, FALSE, @IsGuest, @Displayname, @CreatedTs)
        ON CONFLICT (user_id) DO NOTHING
        """;
    private const string UpdatePassword = "UPDATE users SET password_hash = @PasswordHash WHERE user_id = @UserId AND is_deactivated = FALSE";
    // A write that changes nothing, for the row lock it takes (PostgreSQL) and the rows it counts.
    private const string LockActiveUser = "UPDATE users SET is_deactivated = is_deactivated WHERE user_id = @UserId AND is_deactivated = FALSE RETURNING is_guest";
    private const string Upgrade = """
        UPDATE users SET is_guest = FALSE, password_hash = @PasswordHash
        WHERE user_id = @UserId AND is_guest = TRUE AND is_deactivated = FALSE
        """;
    private const string UpdateDisplayname = "UPDATE users SET displayname = @Value WHERE user_id = @UserId";
    private const string UpdateAvatar = "UPDATE users SET avatar_url = @Value WHERE user_id = @UserId";
    private const string Deactivate = """
        UPDATE users SET is_deactivated = TRUE, password_hash = NULL, displayname = NULL, avatar_url = NULL, is_erased = (is_erased OR @Erase)
        WHERE user_id = @UserId
        """;
    private const string TouchActive = "UPDATE users SET last_active_ts = @Ts WHERE user_id = @UserId AND (last_active_ts IS NULL OR last_active_ts < @Ts)";

    public Task<UserRecord?> GetAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<UserRecord>(SelectUser, new { UserId = userId }, ct), ct);

    public async Task<bool> ExistsAsync(string userId, CancellationToken ct) =>
        await db.ReadAsync(c => c.ScalarAsync<long>(SelectExists, new { UserId = userId }, ct), ct) > 0;

    /// <summary>Inserts the user; false when the ID was taken meanwhile (the unique key decides races).</summary>
    public static async Task<bool> InsertAsync(DbConnection c, DbTransaction tx, UserRecord u, CancellationToken ct) =>
        await c.RunAsync(InsertUser, u, ct, tx) == 1;

    public Task SetPasswordHashAsync(string userId, string hash, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdatePassword, new { UserId = userId, PasswordHash = hash }, ct, tx), ct);

    public Task SetDisplaynameAsync(string userId, string? value, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateDisplayname, new { UserId = userId, Value = value }, ct, tx), ct);

    public Task SetAvatarUrlAsync(string userId, string? value, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateAvatar, new { UserId = userId, Value = value }, ct, tx), ct);

    /// <summary>
    /// Null when the account is deactivated (or missing); otherwise whether it is a guest account. The user's row
    /// stays locked until the transaction ends, so a deactivation, which writes the row first, runs wholly before or
    /// wholly after.
    /// </summary>
    public static Task<bool?> LockIfActiveAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct) =>
        c.FirstOrDefaultAsync<bool?>(LockActiveUser, new { UserId = userId }, ct, tx);

    /// <summary>Turns a guest account into a full one with a password; false when it is no (active) guest account.</summary>
    public static async Task<bool> UpgradeGuestAsync(DbConnection c, DbTransaction tx, string userId, string passwordHash, CancellationToken ct) =>
        await c.RunAsync(Upgrade, new { UserId = userId, PasswordHash = passwordHash }, ct, tx) == 1;

    public static Task DeactivateAsync(DbConnection c, DbTransaction tx, string userId, bool erase, CancellationToken ct) =>
        c.RunAsync(Deactivate, new { UserId = userId, Erase = erase }, ct, tx);

    /// <summary>Moves the user's last-active time forward (never back: requests may finish out of order).</summary>
    public static Task TouchLastActiveAsync(DbConnection c, DbTransaction tx, string userId, long ts, CancellationToken ct) =>
        c.RunAsync(TouchActive, new { UserId = userId, Ts = ts }, ct, tx);
}
