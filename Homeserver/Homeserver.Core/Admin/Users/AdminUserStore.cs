using Homeserver.Core.Accounts;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Admin.Users;

/// <summary>What Synapse's admin API reads and sets of accounts beyond what the accounts domain itself does.</summary>
public sealed class AdminUserStore(Database db)
{
    private const string SetFlag = "UPDATE users SET {COLUMN} = @Value WHERE user_id = @UserId";
    private const string Reactivate = "UPDATE users SET is_deactivated = FALSE, is_erased = FALSE WHERE user_id = @UserId";

    public async Task<UserPage> ListAsync(UserListQuery q, CancellationToken ct)
    {
        var where = new List<string>();
        if (q.Name is not null)
            where.Add($"(localpart {db.Dialect.CaseInsensitiveLike} @Name ESCAPE '\\' OR displayname {db.Dialect.CaseInsensitiveLike} @Name ESCAPE '\\')");
        else if (q.UserIdContains is not null)
            where.Add($"user_id {db.Dialect.CaseInsensitiveLike} @UserIdPattern ESCAPE '\\'");
        if (!q.Guests)
            where.Add("is_guest = FALSE");
        if (q.Admins is { } admins)
            where.Add(admins ? "is_admin = TRUE" : "is_admin = FALSE");
        if (q.Deactivated is { } deactivated)
            where.Add(deactivated ? "is_deactivated = TRUE" : "is_deactivated = FALSE");
        if (q.NotUserTypes.Count > 0)
            where.Add("NOT (" + db.Dialect.InList("COALESCE(user_type, '')", "NotUserTypes") + ")");
        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        var dir = q.Backwards ? "DESC" : "ASC";
        var column = UserListQuery.OrderColumns[q.OrderBy];
        var order = column == "user_id" ? $"user_id {dir}" : $"{column} {dir}, user_id ASC";
        var args = new
        {
            Name = q.Name is null ? null : LikePattern.Contains(q.Name),
            UserIdPattern = q.UserIdContains is null ? null : LikePattern.Contains(q.UserIdContains),
            NotUserTypes = q.NotUserTypes.ToArray(),
            q.Limit,
            Offset = q.From,
        };
        return await db.ReadAsync(async c =>
        {
            var total = await c.ScalarAsync<long>($"SELECT COUNT(*) FROM users {filter}", args, ct);
            var users = await c.ListAsync<UserRecord>($"SELECT * FROM users {filter} ORDER BY {order} LIMIT @Limit OFFSET @Offset", args, ct);
            return new UserPage(users, total);
        }, ct);
    }

    public Task SetAdminAsync(string userId, bool value, CancellationToken ct) => SetAsync("is_admin", userId, value, ct);

    public Task SetUserTypeAsync(string userId, string? value, CancellationToken ct) => SetAsync("user_type", userId, value, ct);

    public Task SetShadowBannedAsync(string userId, bool value, CancellationToken ct) => SetAsync("is_shadow_banned", userId, value, ct);

    public Task SetSuspendedAsync(string userId, bool value, CancellationToken ct) => SetAsync("is_suspended", userId, value, ct);

    /// <summary>Makes a deactivated account active again (and no longer erased); it has no password until one is set.</summary>
    public Task ReactivateAsync(string userId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Reactivate, new { UserId = userId }, ct, tx), ct);

    private Task SetAsync<T>(string column, string userId, T value, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(SetFlag.Replace("{COLUMN}", column), new { UserId = userId, Value = value }, ct, tx), ct);
}
