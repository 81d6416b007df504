using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Homeserver.Bench.Baselines;

/// <summary>
/// The storage ceiling: one event-sized row per transaction into a table shaped like the server's events table,
/// in SQLite's WAL mode at the server's durability setting (synchronous=NORMAL), or in PostgreSQL.
/// </summary>
public static class StorageBaseline
{
    private const string Create = """
        CREATE TABLE bench_events (
            stream_ordering BIGINT NOT NULL PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            room_id TEXT NOT NULL,
            json TEXT NOT NULL
        );
        CREATE INDEX bench_events_room ON bench_events(room_id, stream_ordering);
        """;

    // About the size of a stored m.room.message event with its hashes and signatures.
    private static readonly string EventJson = "{\"content\":{\"body\":\"" + new string('x', 40) + "\",\"msgtype\":\"m.text\"},\"padding\":\"" + new string('p', 600) + "\"}";

    public static async Task<double> SqliteInsertsPerSecondAsync(string directory, TimeSpan duration, CancellationToken ct)
    {
        var path = Path.Combine(directory, "baseline.db");
        await using var conn = new SqliteConnection($"Data Source={path};Pooling=false");
        await conn.OpenAsync(ct);
        await ExecAsync(conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", ct);
        await ExecAsync(conn, Create, ct);
        var rate = await InsertLoopAsync(conn, duration, ct);
        await conn.CloseAsync();
        SqliteConnection.ClearAllPools();
        return rate;
    }

    public static async Task<double> PostgresInsertsPerSecondAsync(string connectionString, TimeSpan duration, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await ExecAsync(conn, Create, ct);
        return await InsertLoopAsync(conn, duration, ct);
    }

    private static async Task<double> InsertLoopAsync(DbConnection conn, TimeSpan duration, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (sw.Elapsed < duration)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO bench_events (stream_ordering, event_id, room_id, json) VALUES (@s, @e, @r, @j)";
            Add(cmd, "s", n);
            Add(cmd, "e", $"$event{n}");
            Add(cmd, "r", $"!room{n % 100}");
            Add(cmd, "j", EventJson);
            await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            n++;
        }
        return n / sw.Elapsed.TotalSeconds;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static async Task ExecAsync(DbConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
