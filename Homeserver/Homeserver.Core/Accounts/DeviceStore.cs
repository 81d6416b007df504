using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

public sealed class DeviceStore(Database db)
{
    private const string SelectAll = "SELECT * FROM devices WHERE user_id = @UserId ORDER BY created_ts, device_id";
    private const string SelectOne = "SELECT * FROM devices WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string Upsert = """
        INSERT INTO devices (user_id, device_id, display_name, created_ts, last_seen_ts, last_seen_ip, last_seen_user_agent)
        VALUES (@UserId, @DeviceId, @DisplayName, @CreatedTs, @LastSeenTs, @LastSeenIp, @LastSeenUserAgent)
        ON CONFLICT (user_id, device_id) DO UPDATE SET
            display_name = COALESCE(excluded.display_name, devices.display_name),
            last_seen_ts = excluded.last_seen_ts, last_seen_ip = excluded.last_seen_ip, last_seen_user_agent = excluded.last_seen_user_agent
        """;
    private const string InsertAbsent = """
        INSERT INTO devices (user_id, device_id, display_name, created_ts) VALUES (@UserId, @DeviceId, @DisplayName, @CreatedTs)
        ON CONFLICT (user_id, device_id) DO UPDATE SET display_name = COALESCE(excluded.display_name, devices.display_name)
        """;
    private const string UpdateName = "UPDATE devices SET display_name = @DisplayName WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string UpdateSeen = "UPDATE devices SET last_seen_ts = @Ts, last_seen_ip = @Ip, last_seen_user_agent = @Agent WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string SelectIds = "SELECT device_id FROM devices WHERE user_id = @UserId";
    private const string DeleteOne = "DELETE FROM devices WHERE user_id = @UserId AND device_id = @DeviceId";

    public Task<IReadOnlyList<DeviceRecord>> ListAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<DeviceRecord>(SelectAll, new { UserId = userId }, ct), ct);

    public Task<DeviceRecord?> GetAsync(string userId, string deviceId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<DeviceRecord>(SelectOne, new { UserId = userId, DeviceId = deviceId }, ct), ct);

    public static Task UpsertAsync(DbConnection c, DbTransaction tx, DeviceRecord d, CancellationToken ct) =>
        c.RunAsync(Upsert, d, ct, tx);

    public static Task InsertIfAbsentAsync(DbConnection c, DbTransaction tx, DeviceRecord d, CancellationToken ct) =>
        c.RunAsync(InsertAbsent, d, ct, tx);

    /// <summary>False when the device does not exist.</summary>
    public static async Task<bool> SetDisplayNameAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, string? name, CancellationToken ct) =>
        await c.RunAsync(UpdateName, new { UserId = userId, DeviceId = deviceId, DisplayName = name }, ct, tx) == 1;

    public static Task RecordSeenAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, long ts, string? ip, string? agent, CancellationToken ct) =>
        c.RunAsync(UpdateSeen, new { UserId = userId, DeviceId = deviceId, Ts = ts, Ip = ip, Agent = agent }, ct, tx);

    public static Task<IReadOnlyList<string>> ListIdsAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct) =>
        c.ListAsync<string>(SelectIds, new { UserId = userId }, ct, tx);

    /// <summary>Deletes the device row; its access sessions must be removed first (see <see cref="AccessSessionStore"/>).</summary>
    public static Task<int> DeleteAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, CancellationToken ct) =>
        c.RunAsync(DeleteOne, new { UserId = userId, DeviceId = deviceId }, ct, tx);
}
