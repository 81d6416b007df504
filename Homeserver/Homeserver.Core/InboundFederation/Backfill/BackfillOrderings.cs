using Homeserver.Core.Storage;

namespace Homeserver.Core.InboundFederation.Backfill;

/// <summary>
/// Stream positions for backfilled events: below every position held, as Synapse gives them negative ones, so each
/// backfill lands before the history already held, a client's pagination token from before still pages on into it,
/// and sync (which reads forwards from a position) never sees them as new. Reserved in blocks, one per batch.
/// </summary>
public sealed class BackfillOrderings(Database db)
{
    private const string SelectLowest = "SELECT COALESCE(MIN(stream_ordering), 0) FROM events";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _lowest;

    /// <summary>The lowest of <paramref name="count"/> consecutive positions below every one reserved or held before.</summary>
    public async Task<long> ReserveAsync(int count, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var held = await db.ReadAsync(c => c.ScalarAsync<long>(SelectLowest, null, ct), ct);
            var lowest = Math.Min(Math.Min(held, 0), _lowest ?? 0) - count;
            _lowest = lowest;
            return lowest;
        }
        finally
        {
            _gate.Release();
        }
    }
}
