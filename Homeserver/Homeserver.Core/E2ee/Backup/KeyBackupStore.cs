using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee.Backup;

/// <summary>Room-key backup versions and the session keys stored in them.</summary>
public sealed class KeyBackupStore(Database db, WriterInstance writer)
{

    private const string InsertVersion = """
        INSERT INTO room_key_backup_versions (user_id, version, algorithm, auth_data, etag, deleted) VALUES (@UserId, @Version, @Algorithm, @AuthData, 0, 0)
        """;
    private const string SelectVersion = "SELECT version, algorithm, auth_data, etag, deleted FROM room_key_backup_versions WHERE user_id = @UserId AND version = @Version";
    private const string SelectLatest = """
        SELECT version, algorithm, auth_data, etag, deleted FROM room_key_backup_versions WHERE user_id = @UserId AND deleted = 0
        ORDER BY version DESC LIMIT 1
        """;
    private const string UpdateAuthData = "UPDATE room_key_backup_versions SET auth_data = @AuthData WHERE user_id = @UserId AND version = @Version";
    private const string MarkDeleted = "UPDATE room_key_backup_versions SET deleted = 1 WHERE user_id = @UserId AND version = @Version";
    private const string BumpEtag = "UPDATE room_key_backup_versions SET etag = etag + 1 WHERE user_id = @UserId AND version = @Version RETURNING etag";
    private const string CountKeys = "SELECT COUNT(*) FROM room_key_backup_keys WHERE user_id = @UserId AND version = @Version";
    private const string SelectKey = """
        SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data FROM room_key_backup_keys
        WHERE user_id = @UserId AND version = @Version AND room_id = @RoomId AND session_id = @SessionId
        """;
    private const string UpsertKey = """
        INSERT INTO room_key_backup_keys (user_id, version, room_id, session_id, first_message_index, forwarded_count, is_verified, session_data)
        VALUES (@UserId, @Version, @RoomId, @SessionId, @FirstMessageIndex, @ForwardedCount, @IsVerified, @SessionData)
        ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE SET first_message_index = excluded.first_message_index,
            forwarded_count = excluded.forwarded_count, is_verified = excluded.is_verified, session_data = excluded.session_data
        """;
    private const string SelectKeys = """
        SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data FROM room_key_backup_keys
        WHERE user_id = @UserId AND version = @Version
        """;
    private const string DeleteKeys = "DELETE FROM room_key_backup_keys WHERE user_id = @UserId AND version = @Version";
    private const string SelectEtag = "SELECT etag FROM room_key_backup_versions WHERE user_id = @UserId AND version = @Version";

    public sealed class BackupVersion
    {
        public long Version { get; set; }
        public string Algorithm { get; set; } = "";
        public string AuthData { get; set; } = "";
        public long Etag { get; set; }
        public long Deleted { get; set; }
    }

    /// <summary>The keys and the version's state after a change.</summary>
    public sealed record Summary(long Etag, long Count);

    public Task<long> CreateVersionAsync(string userId, string algorithm, string authData, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var version = await StreamAllocator.NextAsync(c, tx, writer, StreamNames.KeyBackupVersions, ct);
            await c.RunAsync(InsertVersion, new { UserId = userId, Version = version, Algorithm = algorithm, AuthData = authData }, ct, tx);
            return version;
        }, ct);

    /// <summary>The given version (deleted ones included), or the latest live one when <paramref name="version"/> is null.</summary>
    public Task<BackupVersion?> VersionAsync(string userId, long? version, CancellationToken ct) =>
        db.ReadAsync(c => version is null
            ? c.FirstOrDefaultAsync<BackupVersion>(SelectLatest, new { UserId = userId }, ct)
            : c.FirstOrDefaultAsync<BackupVersion>(SelectVersion, new { UserId = userId, Version = version }, ct), ct);

    public Task<long> CountAsync(string userId, long version, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(CountKeys, new { UserId = userId, Version = version }, ct), ct);

    public Task UpdateAuthDataAsync(string userId, long version, string authData, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateAuthData, new { UserId = userId, Version = version, AuthData = authData }, ct, tx), ct);

    public Task DeleteVersionAsync(string userId, long version, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(DeleteKeys, new { UserId = userId, Version = version }, ct, tx);
            await c.RunAsync(MarkDeleted, new { UserId = userId, Version = version }, ct, tx);
        }, ct);

    /// <summary>Stores each key unless the session's existing key is better by the spec's rule.</summary>
    public Task<Summary> PutKeysAsync(string userId, long version, IReadOnlyList<BackedUpKey> keys, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var changed = false;
            foreach (var k in keys)
            {
                var existing = await c.FirstOrDefaultAsync<BackedUpKey>(SelectKey, new { UserId = userId, Version = version, k.RoomId, k.SessionId }, ct, tx);
                if (existing is not null && !k.Replaces(existing))
                    continue;
                await c.RunAsync(UpsertKey, new { UserId = userId, Version = version, k.RoomId, k.SessionId, k.FirstMessageIndex, k.ForwardedCount, k.IsVerified, k.SessionData }, ct, tx);
                changed = true;
            }
            return await SummaryAsync(c, tx, userId, version, changed, ct);
        }, ct);

    public Task<IReadOnlyList<BackedUpKey>> KeysAsync(string userId, long version, string? roomId, string? sessionId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<BackedUpKey>(SelectKeys + Scope(roomId, sessionId) + " ORDER BY room_id, session_id", new { UserId = userId, Version = version, RoomId = roomId, SessionId = sessionId }, ct), ct);

    public Task<Summary> DeleteKeysAsync(string userId, long version, string? roomId, string? sessionId, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var deleted = await c.RunAsync(DeleteKeys + Scope(roomId, sessionId), new { UserId = userId, Version = version, RoomId = roomId, SessionId = sessionId }, ct, tx);
            return await SummaryAsync(c, tx, userId, version, deleted > 0, ct);
        }, ct);

    /// <summary>Narrows a statement to one room, or one session of it.</summary>
    private static string Scope(string? roomId, string? sessionId) =>
        (roomId is null ? "" : " AND room_id = @RoomId") + (sessionId is null ? "" : " AND session_id = @SessionId");

    private static async Task<Summary> SummaryAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string userId, long version, bool changed, CancellationToken ct)
    {
        var args = new { UserId = userId, Version = version };
        var etag = changed
            ? await c.ScalarAsync<long>(BumpEtag, args, ct, tx)
            : await c.ScalarAsync<long>(SelectEtag, args, ct, tx);
        return new Summary(etag, await c.ScalarAsync<long>(CountKeys, args, ct, tx));
    }
}
