using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

public sealed class AccessSessionStore(Database db)
{
    private const string Insert = """
        INSERT INTO access_sessions (session_id, user_id, device_id, created_ts, expires_ts, refresh_token_hash, refresh_expires_ts)
        VALUES (@SessionId, @UserId, @DeviceId, @CreatedTs, @ExpiresTs, @RefreshTokenHash, @RefreshExpiresTs)
        """;
    private const string SelectById = "SELECT * FROM access_sessions WHERE session_id = @SessionId";
    private const string SelectByRefresh = "SELECT * FROM access_sessions WHERE refresh_token_hash = @Hash";
    private const string DeleteById = "DELETE FROM access_sessions WHERE session_id = @SessionId";
    private const string SelectIdsForDevice = "SELECT session_id FROM access_sessions WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string DeleteForDevice = "DELETE FROM access_sessions WHERE user_id = @UserId AND device_id = @DeviceId";

    public static Task InsertAsync(DbConnection c, DbTransaction tx, AccessSessionRecord s, CancellationToken ct) =>
        c.RunAsync(Insert, s, ct, tx);

    public Task<AccessSessionRecord?> GetAsync(string sessionId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<AccessSessionRecord>(SelectById, new { SessionId = sessionId }, ct), ct);

    public static Task<AccessSessionRecord?> GetByRefreshHashAsync(DbConnection c, DbTransaction tx, string hash, CancellationToken ct) =>
        c.FirstOrDefaultAsync<AccessSessionRecord>(SelectByRefresh, new { Hash = hash }, ct, tx);

    /// <summary>Deletes the session; returns how many rows went (0 when someone else deleted it first).</summary>
    public static Task<int> DeleteAsync(DbConnection c, DbTransaction tx, string sessionId, CancellationToken ct) =>
        c.RunAsync(DeleteById, new { SessionId = sessionId }, ct, tx);

    /// <summary>Deletes every session of a device and returns their IDs, so the caller can drop them from the cache.</summary>
    public static async Task<IReadOnlyList<string>> DeleteForDeviceAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, CancellationToken ct)
    {
        var ids = await c.ListAsync<string>(SelectIdsForDevice, new { UserId = userId, DeviceId = deviceId }, ct, tx);
        await c.RunAsync(DeleteForDevice, new { UserId = userId, DeviceId = deviceId }, ct, tx);
        return ids;
    }
}
