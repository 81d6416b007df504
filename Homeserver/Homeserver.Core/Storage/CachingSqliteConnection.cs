using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Homeserver.Core.Storage;

/// <summary>
/// One caller's lease of a pooled SQLite connection. Its commands run on the connection's prepared statements;
/// disposing it gives the connection back, rolling back a transaction left open.
/// </summary>
internal sealed class CachingSqliteConnection(SqliteConnectionPool pool, PooledSqliteConnection pooled) : DbConnection
{
    private PooledSqliteConnection? _pooled = pooled;
    private SqliteTransaction? _transaction;

    internal SqliteConnection Inner => Leased.Connection;
    internal SqliteStatementCache Statements => Leased.Statements;

    private PooledSqliteConnection Leased => _pooled ?? throw new ObjectDisposedException(nameof(CachingSqliteConnection));

    [AllowNull]
    public override string ConnectionString
    {
        get => Inner.ConnectionString;
        set => throw new NotSupportedException("a pooled connection keeps the connection string it was opened with");
    }

    public override string Database => Inner.Database;
    public override string DataSource => Inner.DataSource;
    public override string ServerVersion => Inner.ServerVersion;
    public override ConnectionState State => _pooled is null ? ConnectionState.Closed : Inner.State;

    public override void ChangeDatabase(string databaseName) => Inner.ChangeDatabase(databaseName);

    public override void Open()
    {
        if (State != ConnectionState.Open)
            throw new InvalidOperationException("a pooled connection is opened by its pool and cannot be reopened");
    }

    public override void Close() => Return();

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        _transaction = Inner.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new CachingSqliteCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Return();
        base.Dispose(disposing);
    }

    private void Return()
    {
        var pooledConnection = Interlocked.Exchange(ref _pooled, null);
        if (pooledConnection is null)
            return;
        var transaction = _transaction;
        _transaction = null;
        pool.Return(pooledConnection, transaction);
    }
}
