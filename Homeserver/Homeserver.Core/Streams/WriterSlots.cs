using System.Collections.Concurrent;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Streams;

/// <summary>
/// The writer rows this node draws stream positions under. A draw locks its writer's row until its transaction ends
/// (<see cref="StreamAllocator"/>), so with one row per node every write on PostgreSQL queued behind the one before
/// it for the whole of that transaction, statement by statement: the bound on a node's sends (docs/performance.md).
/// With a slot of its own, each of up to <see cref="PostgresSlots"/> writes draws under a row that no other
/// transaction of this node holds. Rows left idle are moved along at every commit (migration 0040). SQLite runs one
/// write transaction at a time and keeps the node's one row.
/// </summary>
public sealed class WriterSlots
{
    /// <summary>Writes of one node that draw positions side by side on PostgreSQL.</summary>
    public const int PostgresSlots = 8;

    private readonly WriterInstance _writer;
    private readonly SemaphoreSlim? _free;
    // Last in, first out: a lightly loaded node keeps drawing under the same few rows.
    private readonly ConcurrentStack<WriterInstance> _idle = new();

    public WriterSlots(WriterInstance writer, Database db)
    {
        _writer = writer;
        if (db.Dialect.Engine != DatabaseEngine.Postgres)
            return;
        _free = new SemaphoreSlim(PostgresSlots);
        // Slot 0 keeps the node's own name; the others add a character instance names may not contain, so they
        // cannot be another node's.
        for (var i = PostgresSlots - 1; i >= 0; i--)
            _idle.Push(i == 0 ? writer : new WriterInstance($"{writer.Name}/{i}"));
    }

    /// <summary>
    /// Whether this node's writes commit side by side under several rows (PostgreSQL), so that one may stand above
    /// another still in flight and updates must wait until readers can see them (<c>Cluster.VisibleStreamBus</c>).
    /// </summary>
    public bool Several => _free is not null;

    /// <summary>A writer row no other write of this node holds, until the returned slot is disposed.</summary>
    public async Task<Slot> RentAsync(CancellationToken ct)
    {
        if (_free is null)
            return new Slot(this, _writer, false);
        await _free.WaitAsync(ct);
        _idle.TryPop(out var writer);
        return new Slot(this, writer!, true);
    }

    private void Return(WriterInstance writer)
    {
        _idle.Push(writer);
        _free!.Release();
    }

    public readonly struct Slot(WriterSlots owner, WriterInstance writer, bool rented) : IDisposable
    {
        public WriterInstance Writer => writer;

        public void Dispose()
        {
            if (rented)
                owner.Return(writer);
        }
    }
}
