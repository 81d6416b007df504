using Homeserver.Core.Storage;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// The answer given to each transaction another server pushed, by origin and transaction ID, so that a retry gets
/// the same answer and applies nothing twice, even after a restart.
/// </summary>
public sealed class ReceivedTransactionStore(Database db)
{
    /// <summary>A sender retries a transaction until it is answered, within minutes; Synapse keeps answers a day too.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    public static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(30);

    private const string Select = "SELECT response_json FROM received_transactions WHERE origin = @Origin AND txn_id = @TxnId";
    private const string Insert = """
        INSERT INTO received_transactions (origin, txn_id, response_json, received_ts) VALUES (@Origin, @TxnId, @Response, @Ts)
        ON CONFLICT (origin, txn_id) DO NOTHING
        """;
    private const string DeleteBefore = "DELETE FROM received_transactions WHERE received_ts < @Before";

    public Task<string?> FindAsync(string origin, string txnId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, new { Origin = origin, TxnId = txnId }, ct), ct);

    public Task SaveAsync(string origin, string txnId, string response, long ts, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new { Origin = origin, TxnId = txnId, Response = response, Ts = ts }, ct, tx), ct);

    public Task PruneAsync(long before, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(DeleteBefore, new { Before = before }, ct, tx), ct);
}
