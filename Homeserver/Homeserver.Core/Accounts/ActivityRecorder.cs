using Homeserver.Core.Storage;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Records that a session was used: its device's last-seen time, address and client, and its user's last-active
/// time (which presence reports), in one transaction, since every request that is due pays for it. It is incidental
/// to the request: when the database refuses it, the request is answered all the same.
/// </summary>
public sealed class ActivityRecorder(Database db, IncidentalWrites incidental)
{
    public Task RecordAsync(UserId userId, string deviceId, long ts, string? ip, string? agent, CancellationToken ct) =>
        incidental.TryAsync("device activity", () => db.WriteAsync(async (c, tx) =>
        {
            // The user's row before the device's, the order deactivation and session creation lock them in;
            // the other order deadlocks against a deactivation on PostgreSQL.
            await UserStore.TouchLastActiveAsync(c, tx, userId.ToString(), ts, ct);
            await DeviceStore.RecordSeenAsync(c, tx, userId.ToString(), deviceId, ts, ip, agent, ct);
        }, ct));
}
