using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Streams;

/// <summary>
/// Hands out increasing positions for a named stream inside the caller's transaction, so a position is only
/// ever visible together with the row that uses it. The writer's row in <c>stream_positions</c> stays locked
/// until that transaction ends, so one writer's positions commit in the order they were drawn; that row then
/// says "nothing of this writer's is still in flight at or below here", which is what readers bound by.
/// On PostgreSQL the number itself comes from the stream's sequence, shared by every writer instance, so two
/// nodes never draw the same position. SQLite has one writer per database (the data directory lock), so
/// the next position is simply one past the stream's highest.
/// </summary>
public static class StreamAllocator
{
    private const string NextSqlite = """
        INSERT INTO stream_positions (stream_name, instance_name, position)
        VALUES (@Stream, @Instance, COALESCE((SELECT MAX(position) FROM stream_positions WHERE stream_name = @Stream), 0) + 1)
        ON CONFLICT (stream_name, instance_name) DO UPDATE SET position = excluded.position
        RETURNING position
        """;

    private const string NextPostgres = "SELECT stream_next_position(@Stream, @Instance)";

    public static Task<long> NextAsync(DbConnection conn, DbTransaction tx, WriterInstance writer, string stream, CancellationToken ct) =>
        conn.ScalarAsync<long>(SqlDialect.Of(conn).Engine == DatabaseEngine.Postgres ? NextPostgres : NextSqlite, new { Stream = stream, Instance = writer.Name }, ct, tx);
}
