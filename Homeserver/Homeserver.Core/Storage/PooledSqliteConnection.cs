using Microsoft.Data.Sqlite;

namespace Homeserver.Core.Storage;

/// <summary>An open SQLite connection kept by <see cref="SqliteConnectionPool"/> with its prepared statements.</summary>
internal sealed class PooledSqliteConnection(SqliteConnection connection, int statementCapacity, int generation) : IDisposable
{
    public SqliteConnection Connection { get; } = connection;
    public SqliteStatementCache Statements { get; } = new(connection, statementCapacity);

    /// <summary>The pool's generation when this was opened; an older one is closed rather than pooled again.</summary>
    public int Generation { get; } = generation;

    public void Dispose()
    {
        Statements.Dispose();
        Connection.Dispose();
    }
}
