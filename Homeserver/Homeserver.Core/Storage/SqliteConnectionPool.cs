using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Homeserver.Core.Storage;

/// <summary>
/// Open SQLite connections kept with their prepared statements, because Microsoft.Data.Sqlite prepares every new
/// command anew and finalizes a connection's statements when it closes: preparation was about a third of the
/// time spent in SQLite in profiles of the 1:1 latency benchmark. A connection belongs to one caller at a time; the most recently
/// returned is handed out first, so a few busy connections hold the statements in use. Idle connections and the
/// statements per connection are capped, so memory stays bounded.
/// </summary>
internal sealed class SqliteConnectionPool(Func<CancellationToken, Task<SqliteConnection>> open, int maxIdle, int statementsPerConnection)
    : IDisposable
{
    private readonly Stack<PooledSqliteConnection> _idle = new();
    private int _generation;
    private bool _disposed;

    public int IdleCount
    {
        get
        {
            lock (_idle)
                return _idle.Count;
        }
    }

    public async Task<DbConnection> RentAsync(CancellationToken ct)
    {
        PooledSqliteConnection? pooled;
        int generation;
        lock (_idle)
        {
            _idle.TryPop(out pooled);
            generation = _generation;
        }
        pooled ??= new PooledSqliteConnection(await open(ct), statementsPerConnection, generation);
        return new CachingSqliteConnection(this, pooled);
    }

    /// <summary>Takes a connection back from its caller, with the transaction it began, if any.</summary>
    public void Return(PooledSqliteConnection pooled, SqliteTransaction? transaction)
    {
        bool keep;
        try
        {
            pooled.Statements.EndLease();
            // Rolls back only a transaction still open; one committed or rolled back already is left alone.
            transaction?.Dispose();
            lock (_idle)
            {
                keep = !_disposed && pooled.Generation == _generation && _idle.Count < maxIdle
                    && pooled.Connection.State == System.Data.ConnectionState.Open;
                if (keep)
                    _idle.Push(pooled);
            }
        }
        catch (SqliteException)
        {
            keep = false;
        }
        if (!keep)
            pooled.Dispose();
    }

    /// <summary>
    /// Closes the idle connections and those out now once returned, dropping every prepared statement; run after
    /// the schema changes so the statements of migration scripts are not kept.
    /// </summary>
    public void Clear() => CloseIdle(disposing: false);

    public void Dispose() => CloseIdle(disposing: true);

    private void CloseIdle(bool disposing)
    {
        PooledSqliteConnection[] closing;
        lock (_idle)
        {
            _generation++;
            _disposed |= disposing;
            closing = _idle.ToArray();
            _idle.Clear();
        }
        foreach (var pooled in closing)
            pooled.Dispose();
    }
}
