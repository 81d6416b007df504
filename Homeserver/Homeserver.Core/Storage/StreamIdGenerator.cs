using System.Data.Common;

namespace Homeserver.Core.Storage;

/// <summary>
/// Hands out increasing positions for a named stream inside the caller's transaction, so a position is
/// only ever visible together with the row that uses it.
/// </summary>
public static class StreamIdGenerator
{
    private const string Next = """
        INSERT INTO stream_positions (stream_name, instance_name, position) VALUES (@Stream, 'main', 1)
        ON CONFLICT (stream_name, instance_name) DO UPDATE SET position = stream_positions.position + 1
        RETURNING position
        """;

    public static Task<long> NextAsync(DbConnection conn, DbTransaction tx, string stream, CancellationToken ct) =>
        conn.ScalarAsync<long>(Next, new { Stream = stream }, ct, tx);
}
