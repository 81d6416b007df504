using System.Data.Common;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>
/// Other servers' users' device lists as their server last told us: a snapshot from a resync, moved on by the
/// updates whose <c>prev_id</c> chain joins it. Changes are written in the caller's stream transaction, so that the
/// device-list change telling our users of them is committed with them.
/// </summary>
public sealed class RemoteDeviceListStore(Database db)
{
    private const string SelectList = "SELECT stream_id, master_key, self_signing_key FROM remote_device_lists WHERE user_id = @UserId";
    private const string SelectDevices = "SELECT device_id, key_json, display_name FROM remote_devices WHERE user_id = @UserId ORDER BY device_id";
    private const string UpsertList = """
        INSERT INTO remote_device_lists (user_id, stream_id, master_key, self_signing_key) VALUES (@UserId, @StreamId, @MasterKey, @SelfSigningKey)
        ON CONFLICT (user_id) DO UPDATE SET stream_id = excluded.stream_id, master_key = excluded.master_key, self_signing_key = excluded.self_signing_key
        """;
    private const string SetStreamId = "UPDATE remote_device_lists SET stream_id = @StreamId WHERE user_id = @UserId AND stream_id < @StreamId";
    private const string UpsertDevice = """
        INSERT INTO remote_devices (user_id, device_id, key_json, display_name) VALUES (@UserId, @DeviceId, @KeyJson, @DisplayName)
        ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = excluded.key_json, display_name = excluded.display_name
        """;
    private const string DeleteDevice = "DELETE FROM remote_devices WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string DeleteDevices = "DELETE FROM remote_devices WHERE user_id = @UserId";
    private const string DeleteList = "DELETE FROM remote_device_lists WHERE user_id = @UserId";
    private const string UpdateMaster = "UPDATE remote_device_lists SET master_key = @Key WHERE user_id = @UserId";
    private const string UpdateSelfSigning = "UPDATE remote_device_lists SET self_signing_key = @Key WHERE user_id = @UserId";
    private const string SelectKeptMembers = """
        SELECT l.user_id FROM remote_device_lists l JOIN room_memberships m ON m.user_id = l.user_id
        WHERE m.room_id = @RoomId AND m.membership = 'join'
        """;

    public sealed class Device
    {
        public string DeviceId { get; set; } = "";
        public string? KeyJson { get; set; }
        public string? DisplayName { get; set; }
    }

    private sealed class ListRow
    {
        public long StreamId { get; set; }
        public string? MasterKey { get; set; }
        public string? SelfSigningKey { get; set; }
    }

    /// <summary>A user's whole device list at <see cref="StreamId"/>, the owner's position of its latest change.</summary>
    public sealed record Snapshot(long StreamId, IReadOnlyList<Device> Devices, string? MasterKey, string? SelfSigningKey);

    /// <summary>One device's change: its keys and display name, or its deletion.</summary>
    public sealed record Update(string DeviceId, long StreamId, IReadOnlyList<long> PrevIds, bool Deleted, string? KeyJson, string? DisplayName);

    public enum Outcome
    {
        Applied,
        /// <summary>At or before a change the list already includes: nothing to do.</summary>
        AlreadySeen,
        /// <summary>No list is kept, or the update's <c>prev_id</c> names a change we never saw: only a resync can tell.</summary>
        NeedsResync,
    }

    public Task<Snapshot?> GetAsync(string userId, CancellationToken ct) => db.ReadAsync(async c =>
    {
        var list = await c.FirstOrDefaultAsync<ListRow>(SelectList, new { UserId = userId }, ct);
        return list is null ? null
            : new Snapshot(list.StreamId, await c.ListAsync<Device>(SelectDevices, new { UserId = userId }, ct), list.MasterKey, list.SelfSigningKey);
    }, ct);

    /// <summary>Replaces the user's list with a resync's, unless an update past it was applied meanwhile.</summary>
    /// <returns>Whether it was replaced.</returns>
    public static async Task<bool> ReplaceAsync(StreamTransaction st, string userId, Snapshot snapshot, CancellationToken ct)
    {
        var (c, tx) = (st.Connection, st.Transaction);
        var kept = await c.FirstOrDefaultAsync<ListRow>(SelectList, new { UserId = userId }, ct, tx);
        if (kept is not null && kept.StreamId > snapshot.StreamId)
            return false;
        await c.RunAsync(UpsertList, new { UserId = userId, snapshot.StreamId, snapshot.MasterKey, snapshot.SelfSigningKey }, ct, tx);
        await c.RunAsync(DeleteDevices, new { UserId = userId }, ct, tx);
        foreach (var device in snapshot.Devices)
            await c.RunAsync(UpsertDevice, new { UserId = userId, device.DeviceId, device.KeyJson, device.DisplayName }, ct, tx);
        return true;
    }

    /// <summary>
    /// Applies an update whose <c>prev_id</c>s the list already includes (each at or before its position). An update at the
    /// list's own position is another device of the same change (one update is sent per device) and applies too.
    /// </summary>
    public static async Task<Outcome> ApplyAsync(StreamTransaction st, string userId, Update update, CancellationToken ct)
    {
        var (c, tx) = (st.Connection, st.Transaction);
        var kept = await c.FirstOrDefaultAsync<ListRow>(SelectList, new { UserId = userId }, ct, tx);
        if (kept is null)
            return Outcome.NeedsResync;
        if (update.StreamId < kept.StreamId)
            return Outcome.AlreadySeen;
        var joins = update.StreamId == kept.StreamId || (update.PrevIds.Count > 0 && update.PrevIds.All(p => p <= kept.StreamId));
        if (!joins)
            return Outcome.NeedsResync;
        if (update.Deleted)
            await c.RunAsync(DeleteDevice, new { UserId = userId, update.DeviceId }, ct, tx);
        else
            await c.RunAsync(UpsertDevice, new { UserId = userId, update.DeviceId, update.KeyJson, update.DisplayName }, ct, tx);
        await c.RunAsync(SetStreamId, new { UserId = userId, update.StreamId }, ct, tx);
        return Outcome.Applied;
    }

    /// <summary>A kept list's new master and self-signing keys (null leaves one as it is); nothing for a list not kept.</summary>
    public static async Task SetSigningKeysAsync(StreamTransaction st, string userId, string? masterKey, string? selfSigningKey, CancellationToken ct)
    {
        if (masterKey is not null)
            await st.Connection.RunAsync(UpdateMaster, new { UserId = userId, Key = masterKey }, ct, st.Transaction);
        if (selfSigningKey is not null)
            await st.Connection.RunAsync(UpdateSelfSigning, new { UserId = userId, Key = selfSigningKey }, ct, st.Transaction);
    }

    /// <summary>Drops the user's list: the next need for it resyncs.</summary>
    public Task ForgetAsync(string userId, CancellationToken ct) => db.WriteAsync((c, tx) => ForgetAsync(c, tx, userId, ct), ct);

    /// <summary>The users joined to the room whose lists are kept, as the transaction sees it.</summary>
    public static Task<IReadOnlyList<string>> KeptMembersAsync(DbConnection c, DbTransaction tx, string roomId, CancellationToken ct) =>
        c.ListAsync<string>(SelectKeptMembers, new { RoomId = roomId }, ct, tx);

    /// <summary><see cref="ForgetAsync(string, CancellationToken)"/> in the transaction <paramref name="tx"/>.</summary>
    public static async Task ForgetAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct)
    {
        await c.RunAsync(DeleteDevices, new { UserId = userId }, ct, tx);
        await c.RunAsync(DeleteList, new { UserId = userId }, ct, tx);
    }
}
