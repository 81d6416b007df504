using System.Data.Common;
using System.Runtime.CompilerServices;
using Homeserver.Core.Configuration;
using Homeserver.Core.Observability;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Homeserver.Core.Storage;

/// <summary>
/// Connections and transactions for both engines. SQLite allows one writer at a time, so writes queue for
/// one writer loop (<see cref="SqliteWriteQueue"/>, with group commit) instead of spinning on SQLITE_BUSY, and
/// the write-ahead log is checkpointed off that path (<see cref="CheckpointAsync"/>); PostgreSQL writes run
/// concurrently.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly string? _sqliteConnectionString;
    private readonly string? _sqlitePath;
    private readonly string _sqlitePragmas = "";
    private readonly NpgsqlDataSource? _postgres;
    private readonly SqliteWriteQueue? _writes;
    private readonly SqliteConnectionPool? _sqlitePool;
    private static readonly object ConfiguredMarker = new();
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configuredHandles = new();

    // Rows are read into PascalCase properties from snake_case columns.
    static Database() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;

    public Database(DatabaseOptions options, string dataDir, ILoggerFactory logs)
    {
        if (options.Engine == "postgres")
        {
            Dialect = SqlDialect.Postgres;
            var pg = WithPoolDefaults(options.ConnectionString!);
            _postgres = NpgsqlDataSource.Create(pg);
            Description = $"the PostgreSQL database '{pg.Database}' on {pg.Host}:{pg.Port}";
            return;
        }
        Dialect = SqlDialect.Sqlite;
        var path = Path.GetFullPath(Path.Combine(dataDir, options.SqlitePath));
        _sqlitePath = path;
        Description = $"the SQLite database '{path}'";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _sqliteConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _sqlitePragmas = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={options.SqliteSynchronous.ToUpperInvariant()}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; {SqliteCheckpointer.DisableAutomatic}";
        _sqlitePool = new SqliteConnectionPool(OpenSqliteAsync, MaxIdleSqliteConnections, StatementsPerSqliteConnection);
        _writes = new SqliteWriteQueue(OpenAsync, logs.CreateLogger<SqliteWriteQueue>());
    }

    // The server runs a few hundred distinct statements over and over: prepared once per connection, PostgreSQL stops
    // parsing and planning each of them on every use, which on a database sharing the nodes' cores was the larger
    // share of a send (docs/performance.md). An operator's own setting in the connection string is kept.
    private const int AutoPreparedStatements = 250;

    private static NpgsqlConnectionStringBuilder WithPoolDefaults(string connectionString)
    {
        var pg = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            pg.MaxAutoPrepare = AutoPreparedStatements;
            pg.AutoPrepareMinUsages = 2;
        }
        // Every read borrows a pooled connection, and by default each return queues a reset of the session (RESET ALL,
        // CLOSE ALL, UNLISTEN, DISCARD ...) that PostgreSQL runs before the next statement. The server changes no session
        // state (no SET, LISTEN, session locks or temporary tables), so there is nothing to reset.
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
            pg.NoResetOnClose = true;
        return pg;
    }

    // Room for the readers and the writer of a busy server; beyond it, connections close on return.
    private const int MaxIdleSqliteConnections = 16;
    // Well above the distinct SQL a request mix uses, while bounding the statement memory of each connection.
    private const int StatementsPerSqliteConnection = 200;

    public SqlDialect Dialect { get; }

    /// <summary>Which database this is, for an operator reading an error: the file, or the server and database name (never the password).</summary>
    public string Description { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(ct);
        return await _sqlitePool!.RentAsync(ct);
    }

    /// <summary>
    /// Drops cached prepared statements after a schema change: a statement prepared before it may no longer match its
    /// tables (PostgreSQL refuses a prepared plan whose result type changed), and migration scripts need not stay prepared.
    /// </summary>
    internal void ClearStatementCache()
    {
        _sqlitePool?.Clear();
        _postgres?.Clear();
    }

    private async Task<SqliteConnection> OpenSqliteAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_sqliteConnectionString);
        await conn.OpenAsync(ct);
        // Pooled connections keep their native handle and with it these settings, so they are applied once per
        // handle: running them on every open cost a sizeable share of each short read (docs/performance.md).
        if (!_configuredHandles.TryGetValue(conn.Handle!, out _))
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = _sqlitePragmas;
            await cmd.ExecuteNonQueryAsync(ct);
            _configuredHandles.AddOrUpdate(conn.Handle!, ConfiguredMarker);
        }
        return conn;
    }

    /// <summary>Whether the database answers a trivial query, for the health check; throws what reaching it threw.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await conn.ScalarAsync<long>("SELECT 1", null, ct);
    }

    /// <summary>False once SQLite's writer loop has stopped, after which no write completes; always true on PostgreSQL.</summary>
    public bool WriterRunning => _writes?.Running ?? true;

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        return await work(conn);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction; its writes commit only when the delegate returns, and the
    /// returned task completes after the commit. On SQLite other writes may share the transaction (group commit).
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        using var activity = HomeserverTelemetry.Source.StartActivity("db write");
        if (_writes is not null)
            return await _writes.WriteAsync(work, ct);
        await using var conn = await OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var result = await work(conn, tx);
        // Commit must not be cancelled half-way: once we start it, it finishes.
        await tx.CommitAsync(CancellationToken.None);
        return result;
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct) =>
        WriteAsync<bool>(async (c, t) => { await work(c, t); return true; }, ct);

    /// <summary>
    /// The bytes the database takes on disk: SQLite's file and its write-ahead log, or PostgreSQL's
    /// <c>pg_database_size</c> of the current database.
    /// </summary>
    public async Task<long> SizeAsync(CancellationToken ct)
    {
        if (_sqlitePath is null)
            return await ReadAsync(c => c.ScalarAsync<long>("SELECT pg_database_size(current_database())", null, ct), ct);
        return new[] { _sqlitePath, _sqlitePath + "-wal" }.Select(f => new FileInfo(f)).Where(f => f.Exists).Sum(f => f.Length);
    }

    /// <summary>
    /// Copies SQLite's write-ahead log back into the database file without waiting for readers or the writer
    /// (<see cref="SqliteCheckpointer"/>); nothing to do on PostgreSQL.
    /// </summary>
    public async Task CheckpointAsync(CancellationToken ct)
    {
        if (_sqlitePool is null)
            return;
        await using var conn = await OpenAsync(ct);
        await conn.RunAsync(SqliteCheckpointer.Passive, null, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        if (_writes is not null)
        {
            await _writes.DisposeAsync();
            _sqlitePool!.Dispose();
            SqliteConnection.ClearAllPools();
        }
    }
}
