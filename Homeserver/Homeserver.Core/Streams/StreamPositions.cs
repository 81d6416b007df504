using Homeserver.Core.Storage;

namespace Homeserver.Core.Streams;

/// <summary>
/// Where every stream stands for readers, read in one statement: a sync needs several of them before it can
/// bound its queries, and reading them one by one cost a noticeable share of each woken receiver's sync.
/// A stream stands at the lowest position any of its writers vouches for (<see cref="StreamAllocator"/>), so
/// nothing still in flight on one node is skipped by a reader that saw a higher position from another. SQLite
/// has one writer, whose row is the highest.
/// </summary>
public sealed class StreamPositions(Database db)
{
    private const string SelectSqlite = "SELECT stream_name AS Name, MAX(position) AS Position FROM stream_positions GROUP BY stream_name";
    private const string SelectPostgres = "SELECT stream_name AS Name, MIN(position) AS Position FROM stream_positions GROUP BY stream_name";

    // A writer whose row no transaction holds has nothing in flight, so its row may stand at the stream's highest
    // committed position: its next position will be drawn above that. A row that is locked belongs to a write in
    // flight and keeps its place. This moves idle and departed writers along, so they do not hold readers back.
    private const string CatchUpPostgres = """
        UPDATE stream_positions p SET position = m.top
        FROM (SELECT stream_name, MAX(position) AS top FROM stream_positions GROUP BY stream_name) m
        WHERE p.stream_name = m.stream_name AND p.position < m.top
          AND (p.stream_name, p.instance_name) IN (SELECT stream_name, instance_name FROM stream_positions FOR UPDATE SKIP LOCKED)
        """;

    private const string SelectBehind = "SELECT 1 FROM stream_positions GROUP BY stream_name HAVING MIN(position) < MAX(position) LIMIT 1";

    private sealed class Row
    {
        public string Name { get; set; } = "";
        public long Position { get; set; }
    }

    /// <summary>Stream name to position; a stream nothing was written to yet is absent (position 0).</summary>
    public async Task<Snapshot> ReadAsync(CancellationToken ct)
    {
        var sql = db.Dialect.Engine == DatabaseEngine.Postgres ? SelectPostgres : SelectSqlite;
        return new((await db.ReadAsync(c => c.ListAsync<Row>(sql, null, ct), ct)).ToDictionary(r => r.Name, r => r.Position));
    }

    /// <summary>
    /// How often idle writers are moved along (<see cref="CatchUpRoundAsync"/>): the longest a node that writes nothing
    /// holds readers on the others back.
    /// </summary>
    public static readonly TimeSpan CatchUpInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// One round of moving idle writers along, run periodically on PostgreSQL, where several nodes may write. With one
    /// writer the rows never disagree and a round is one small read; SQLite needs none.
    /// </summary>
    public async Task CatchUpRoundAsync(CancellationToken ct)
    {
        if (db.Dialect.Engine == DatabaseEngine.Postgres && await AnyWriterBehindAsync(ct))
            await CatchUpIdleWritersAsync(ct);
    }

    /// <summary>Whether some writer's row stands below its stream's highest: in flight, idle or gone.</summary>
    public async Task<bool> AnyWriterBehindAsync(CancellationToken ct) =>
        await db.ReadAsync(c => c.FirstOrDefaultAsync<int?>(SelectBehind, null, ct), ct) is not null;

    /// <summary>Moves the rows of writers with nothing in flight up to their stream's highest position (PostgreSQL; SQLite has one writer).</summary>
    public Task CatchUpIdleWritersAsync(CancellationToken ct) =>
        db.Dialect.Engine != DatabaseEngine.Postgres ? Task.CompletedTask
            : db.WriteAsync((c, tx) => c.RunAsync(CatchUpPostgres, null, ct, tx), ct);

    public sealed record Snapshot(IReadOnlyDictionary<string, long> Positions)
    {
        public long Of(string stream) => Positions.GetValueOrDefault(stream);
    }
}
