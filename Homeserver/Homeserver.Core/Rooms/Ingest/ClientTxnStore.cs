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

    public Task<string?> FindAsync(ClientTxn txn, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, txn, ct), ct);

    public static Task InsertAsync(DbConnection c, DbTransaction tx, ClientTxn txn, string eventId, long now, CancellationToken ct) =>
        c.RunAsync(Insert, new { txn.UserId, txn.DeviceId, txn.Scope, txn.TxnId, EventId = eventId, CreatedTs = now }, ct, tx);
}
