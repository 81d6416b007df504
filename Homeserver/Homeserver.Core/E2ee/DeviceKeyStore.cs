using System.Data.Common;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>Devices' identity keys, one-time keys and fallback keys.</summary>
public sealed class DeviceKeyStore(Database db, StreamPublisher writer)
{

    private const string SelectDeviceKeys = "SELECT key_json FROM e2e_device_keys WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string UpsertDeviceKeys = """
        INSERT INTO e2e_device_keys (user_id, device_id, key_json) VALUES (@UserId, @DeviceId, @Json)
        ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = excluded.key_json
        """;
    private const string SelectDevice = """
        SELECT k.device_id, k.key_json, d.display_name FROM e2e_device_keys k
        JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id
        WHERE k.user_id = @UserId AND k.device_id = @DeviceId
        """;
    private const string SelectUserDevices = """
        SELECT k.device_id, k.key_json, d.display_name FROM e2e_device_keys k
        JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id
        WHERE k.user_id = @UserId ORDER BY k.device_id
        """;
    private const string InsertOneTimeKey = """
        INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json, upload_seq)
        VALUES (@UserId, @DeviceId, @Algorithm, @KeyId, @Json, @Seq)
        ON CONFLICT (user_id, device_id, algorithm, key_id) DO NOTHING
        """;
    private const string UpsertFallbackKey = """
        INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used)
        VALUES (@UserId, @DeviceId, @Algorithm, @KeyId, @Json, 0)
        ON CONFLICT (user_id, device_id, algorithm) DO UPDATE SET key_id = excluded.key_id, key_json = excluded.key_json,
            used = CASE WHEN e2e_fallback_keys.key_id = excluded.key_id AND e2e_fallback_keys.key_json = excluded.key_json THEN e2e_fallback_keys.used ELSE 0 END
        """;
    // Both key stocks a device is told about, in one statement: one-time keys counted per algorithm, unused fallback keys listed.
    private const string SelectKeyStock = """
        SELECT 0 AS Fallback, algorithm AS Algorithm, COUNT(*) AS Count FROM e2e_one_time_keys
        WHERE user_id = @UserId AND device_id = @DeviceId GROUP BY algorithm
        UNION ALL
        SELECT 1, algorithm, 0 FROM e2e_fallback_keys WHERE user_id = @UserId AND device_id = @DeviceId AND used = 0
        """;
    private const string SelectOldestOneTimeKey = """
        SELECT key_id, key_json FROM e2e_one_time_keys WHERE user_id = @UserId AND device_id = @DeviceId AND algorithm = @Algorithm
        ORDER BY upload_seq, key_id LIMIT 1
        """;
    private const string DeleteOneTimeKey = "DELETE FROM e2e_one_time_keys WHERE user_id = @UserId AND device_id = @DeviceId AND algorithm = @Algorithm AND key_id = @KeyId";
    private const string SelectFallback = "SELECT key_id, key_json FROM e2e_fallback_keys WHERE user_id = @UserId AND device_id = @DeviceId AND algorithm = @Algorithm";
    private const string MarkFallbackUsed = "UPDATE e2e_fallback_keys SET used = 1 WHERE user_id = @UserId AND device_id = @DeviceId AND algorithm = @Algorithm";
    private static readonly string[] DeleteDevice =
    [
        "DELETE FROM e2e_device_keys WHERE user_id = @UserId AND device_id = @DeviceId",
        "DELETE FROM e2e_one_time_keys WHERE user_id = @UserId AND device_id = @DeviceId",
        "DELETE FROM e2e_fallback_keys WHERE user_id = @UserId AND device_id = @DeviceId",
        "DELETE FROM e2e_signatures WHERE target_user_id = @UserId AND target_key_id = @DeviceId",
    ];

    public sealed class DeviceKeysRow
    {
        public string DeviceId { get; set; } = "";
        public string KeyJson { get; set; } = "";
        public string? DisplayName { get; set; }
    }

    /// <summary>A device's keys and display name as the transaction <paramref name="st"/> sees them; null when it has none.</summary>
    public static Task<DeviceKeysRow?> DeviceAsync(StreamTransaction st, string userId, string deviceId, CancellationToken ct) =>
        st.Connection.FirstOrDefaultAsync<DeviceKeysRow>(SelectDevice, new { UserId = userId, DeviceId = deviceId }, ct, st.Transaction);

    public sealed class ClaimedKey
    {
        public string KeyId { get; set; } = "";
        public string KeyJson { get; set; } = "";
    }

    private sealed class StockRow
    {
        public long Fallback { get; set; }
        public string Algorithm { get; set; } = "";
        public long Count { get; set; }
    }

    /// <summary>A device's unclaimed one-time keys per algorithm, and the algorithms of its unused fallback keys (sorted).</summary>
    public sealed record KeyStock(Dictionary<string, long> OneTimeKeyCounts, IReadOnlyList<string> UnusedFallbackAlgorithms);

    public Task<string?> DeviceKeysAsync(string userId, string deviceId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectDeviceKeys, new { UserId = userId, DeviceId = deviceId }, ct), ct);

    public Task<IReadOnlyList<DeviceKeysRow>> DevicesOfUserAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<DeviceKeysRow>(SelectUserDevices, new { UserId = userId }, ct), ct);

    /// <summary>Stores the upload in one transaction; true when the identity keys are new or changed.</summary>
    public Task<bool> UploadAsync(string userId, string deviceId, string? deviceKeys, IReadOnlyList<KeyUploadValidator.UploadedKey> oneTimeKeys,
        IReadOnlyList<KeyUploadValidator.UploadedKey> fallbackKeys, Func<StreamTransaction, Task> onIdentityChange, CancellationToken ct) =>
        writer.WriteAsync(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            var changed = false;
            if (deviceKeys is not null && await c.FirstOrDefaultAsync<string>(SelectDeviceKeys, new { UserId = userId, DeviceId = deviceId }, ct, tx) != deviceKeys)
            {
                await c.RunAsync(UpsertDeviceKeys, new { UserId = userId, DeviceId = deviceId, Json = deviceKeys }, ct, tx);
                await onIdentityChange(st);
                changed = true;
            }
            if (oneTimeKeys.Count > 0)
            {
                var seq = await st.NextAsync(StreamNames.OneTimeKeys, ct);
                foreach (var k in oneTimeKeys)
                    await c.RunAsync(InsertOneTimeKey, new { UserId = userId, DeviceId = deviceId, k.Algorithm, k.KeyId, k.Json, Seq = seq }, ct, tx);
            }
            foreach (var k in fallbackKeys)
                await c.RunAsync(UpsertFallbackKey, new { UserId = userId, DeviceId = deviceId, k.Algorithm, k.KeyId, k.Json }, ct, tx);
            return changed;
        }, ct);

    public async Task<KeyStock> KeyStockAsync(string userId, string deviceId, CancellationToken ct)
    {
        var rows = await db.ReadAsync(c => c.ListAsync<StockRow>(SelectKeyStock, new { UserId = userId, DeviceId = deviceId }, ct), ct);
        return new KeyStock(rows.Where(r => r.Fallback == 0).ToDictionary(r => r.Algorithm, r => r.Count),
            rows.Where(r => r.Fallback == 1).Select(r => r.Algorithm).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Hands out the device's oldest one-time key of the algorithm and deletes it, or else its fallback key, which
    /// is then marked used. The delete must remove the row this transaction read: when a concurrent claim took it
    /// first (PostgreSQL runs writers side by side), the next key is tried.
    /// </summary>
    public Task<ClaimedKey?> ClaimAsync(string userId, string deviceId, string algorithm, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var args = new { UserId = userId, DeviceId = deviceId, Algorithm = algorithm };
            while (await c.FirstOrDefaultAsync<ClaimedKey>(SelectOldestOneTimeKey, args, ct, tx) is { } key)
                if (await c.RunAsync(DeleteOneTimeKey, new { UserId = userId, DeviceId = deviceId, Algorithm = algorithm, key.KeyId }, ct, tx) == 1)
                    return key;
            var fallback = await c.FirstOrDefaultAsync<ClaimedKey>(SelectFallback, args, ct, tx);
            if (fallback is not null)
                await c.RunAsync(MarkFallbackUsed, args, ct, tx);
            return fallback;
        }, ct);

    /// <summary>Removes a deleted device's keys and the signatures made on them, inside the deleting transaction.</summary>
    public static async Task DeleteDeviceAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, CancellationToken ct)
    {
        foreach (var sql in DeleteDevice)
            await c.RunAsync(sql, new { UserId = userId, DeviceId = deviceId }, ct, tx);
    }
}
