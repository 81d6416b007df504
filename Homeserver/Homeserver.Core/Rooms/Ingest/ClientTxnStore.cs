using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Transaction IDs per device and request path (spec "Transaction identifiers"): recorded in the same transaction as the event,
/// so a retry after a crash finds either both or neither.
/// </summary>
public sealed class ClientTxnStore(Database db)
{
    private const string Select = "SELECT event_id FROM client_txns WHERE user_id = @UserId AND device_id = @DeviceId AND scope = @Scope AND txn_id = @TxnId";
    private const string Insert = """
        INSERT INTO client_txns (user_id, device_id, scope, txn_id, event_id, created_ts) VALUES (@UserId, @DeviceId, @Scope, @TxnId, @EventId, @CreatedTs)
        """;

    internal static string SelectOfEvents(SqlDialect d) =>
        $"SELECT event_id AS EventId, txn_id AS TxnId FROM client_txns WHERE user_id = @UserId AND device_id = @DeviceId AND {d.InLongList("event_id", "Ids")}";

    private sealed record EventTxn(string EventId, string TxnId);

    public Task<string?> FindAsync(ClientTxn txn, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, txn, ct), ct);

    /// <summary>
    /// The transaction IDs that <paramref name="deviceId"/> sent <paramref name="eventIds"/> with, for
    /// <c>unsigned.transaction_id</c>, by which the sending client matches its local echo.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> OfEventsAsync(string userId, string deviceId, IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        if (eventIds.Count == 0)
            return new Dictionary<string, string>();
        var d = db.Dialect;
        var rows = await db.ReadAsync(c => c.ListAsync<EventTxn>(SelectOfEvents(d), new { UserId = userId, DeviceId = deviceId, Ids = d.ListParameter(eventIds) }, ct), ct);
        return rows.ToDictionary(r => r.EventId, r => r.TxnId);
    }

    public static Task InsertAsync(DbConnection c, DbTransaction tx, ClientTxn txn, string eventId, long now, CancellationToken ct) =>
        c.RunAsync(Insert, new { txn.UserId, txn.DeviceId, txn.Scope, txn.TxnId, EventId = eventId, CreatedTs = now }, ct, tx);
}
