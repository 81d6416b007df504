using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Push.Pushers;

/// <summary>The <c>pushers</c> table: the pushers clients set, and each one's delivery position.</summary>
public sealed class PusherStore(Database db)
{
    private const string Columns = """
        user_id, app_id, pushkey, device_id, kind, app_display_name, device_display_name, profile_tag, lang, data,
        pushkey_ts, last_stream_ordering, activated, ack_token, ack_token_ts
        """;
    private const string SelectOne = $"SELECT {Columns} FROM pushers WHERE user_id = @UserId AND app_id = @AppId AND pushkey = @Pushkey";
    private const string SelectOfUser = $"SELECT {Columns} FROM pushers WHERE user_id = @UserId ORDER BY app_id, pushkey";
    private const string SelectOfUserAndApp = $"SELECT {Columns} FROM pushers WHERE user_id = @UserId AND app_id = @AppId";
    private const string SelectUsers = "SELECT DISTINCT user_id FROM pushers";
    private const string Upsert = $"""
        INSERT INTO pushers ({Columns}) VALUES (@UserId, @AppId, @Pushkey, @DeviceId, @Kind, @AppDisplayName, @DeviceDisplayName,
            @ProfileTag, @Lang, @Data, @PushkeyTs, @LastStreamOrdering, @Activated, @AckToken, @AckTokenTs)
        ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET device_id = excluded.device_id, kind = excluded.kind,
            app_display_name = excluded.app_display_name, device_display_name = excluded.device_display_name,
            profile_tag = excluded.profile_tag, lang = excluded.lang, data = excluded.data, pushkey_ts = excluded.pushkey_ts,
            activated = excluded.activated, ack_token = excluded.ack_token, ack_token_ts = excluded.ack_token_ts
        """;
    private const string DeleteOne = "DELETE FROM pushers WHERE user_id = @UserId AND app_id = @AppId AND pushkey = @Pushkey";
    private const string DeleteOthers = "DELETE FROM pushers WHERE app_id = @AppId AND pushkey = @Pushkey AND user_id <> @UserId";
    private const string UpdatePosition = "UPDATE pushers SET last_stream_ordering = @Position WHERE user_id = @UserId AND app_id = @AppId AND pushkey = @Pushkey AND last_stream_ordering < @Position";
    private const string Activate = """
        UPDATE pushers SET activated = @Activated, ack_token = NULL, ack_token_ts = NULL, last_stream_ordering = @Position
        WHERE user_id = @UserId AND app_id = @AppId AND pushkey = @Pushkey
        """;
    private const string SelectLatestAction = "SELECT COALESCE(MAX(stream_ordering), 0) FROM event_push_actions WHERE user_id = @UserId";

    public Task<PusherRecord?> GetAsync(PusherKey key, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<PusherRecord>(SelectOne, key, ct), ct);

    public static Task<PusherRecord?> GetAsync(DbConnection c, DbTransaction tx, PusherKey key, CancellationToken ct) =>
        c.FirstOrDefaultAsync<PusherRecord>(SelectOne, key, ct, tx);

    public Task<IReadOnlyList<PusherRecord>> ListAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<PusherRecord>(SelectOfUser, new { UserId = userId }, ct), ct);

    public static Task<IReadOnlyList<PusherRecord>> ListForAppAsync(DbConnection c, DbTransaction tx, string userId, string appId, CancellationToken ct) =>
        c.ListAsync<PusherRecord>(SelectOfUserAndApp, new { UserId = userId, AppId = appId }, ct, tx);

    /// <summary>Users with at least one pusher: where delivery resumes at start.</summary>
    public Task<IReadOnlyList<string>> UsersWithPushersAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectUsers, null, ct), ct);

    public static Task UpsertAsync(DbConnection c, DbTransaction tx, PusherRecord pusher, CancellationToken ct) =>
        c.RunAsync(Upsert, pusher, ct, tx);

    public static Task DeleteAsync(DbConnection c, DbTransaction tx, PusherKey key, CancellationToken ct) =>
        c.RunAsync(DeleteOne, key, ct, tx);

    public Task DeleteAsync(PusherKey key, CancellationToken ct) => db.WriteAsync((c, tx) => DeleteAsync(c, tx, key, ct), ct);

    /// <summary>Removes the same app ID and pushkey registered by other users (<c>append: false</c>).</summary>
    public static Task DeleteForOtherUsersAsync(DbConnection c, DbTransaction tx, PusherKey key, CancellationToken ct) =>
        c.RunAsync(DeleteOthers, key, ct, tx);

    /// <summary>The newest push action of the user: a new or activated pusher starts after it rather than replaying history.</summary>
    public static Task<long> LatestActionAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct) =>
        c.ScalarAsync<long>(SelectLatestAction, new { UserId = userId }, ct, tx);

    /// <summary>Moves the delivery position forward; never back, so a slow writer cannot undo a later one.</summary>
    public Task AdvanceAsync(PusherKey key, long position, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdatePosition, new { key.UserId, key.AppId, key.Pushkey, Position = position }, ct, tx), ct);

    public static async Task ActivateAsync(DbConnection c, DbTransaction tx, PusherKey key, CancellationToken ct) =>
        await c.RunAsync(Activate, new { key.UserId, key.AppId, key.Pushkey, Activated = true, Position = await LatestActionAsync(c, tx, key.UserId, ct) }, ct, tx);
}
