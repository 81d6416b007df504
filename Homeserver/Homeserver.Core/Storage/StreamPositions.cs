namespace Homeserver.Core.Storage;

/// <summary>
/// The current position of every stream, read in one statement: a sync needs six of them before it can bound
/// its queries, and reading them one by one cost a noticeable share of each woken receiver's sync.
/// </summary>
public sealed class StreamPositions(Database db)
{
    private const string SelectAll = "SELECT stream_name AS Name, MAX(position) AS Position FROM stream_positions GROUP BY stream_name";

    private sealed class Row
    {
        public string Name { get; set; } = "";
        public long Position { get; set; }
    }

    /// <summary>Stream name to position; a stream nothing was written to yet is absent (position 0).</summary>
    public async Task<Snapshot> ReadAsync(CancellationToken ct) =>
        new((await db.ReadAsync(c => c.ListAsync<Row>(SelectAll, null, ct), ct)).ToDictionary(r => r.Name, r => r.Position));

    public sealed record Snapshot(IReadOnlyDictionary<string, long> Positions)
    {
        public long Of(string stream) => Positions.GetValueOrDefault(stream);
    }
}
