using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Homeserver.Bench.Baselines;

/// <summary>
/// The storage ceiling of an initial sync: straight from the server's own tables, the user's joined rooms,
/// each room's current state events and its latest timeline events, as JSON text, with no server in between.
/// </summary>
public static class RawSyncRead
{
    public static async Task<long> ReadAsync(string dataDir, string? postgresConnection, string userId, int timelineLimit, CancellationToken ct)
    {
        await using DbConnection conn = postgresConnection is null
            ? new SqliteConnection($"Data Source={Path.Combine(dataDir, "homeserver.db")};Mode=ReadOnly;Pooling=false")
            : new NpgsqlConnection(postgresConnection);
        await conn.OpenAsync(ct);
        var rooms = new List<string>();
        await using (var cmd = Command(conn, "SELECT room_id FROM room_memberships WHERE user_id = @u AND membership = 'join'", ("u", userId)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rooms.Add(r.GetString(0));
        long bytes = 0;
        foreach (var room in rooms)
        {
            await using var state = Command(conn, "SELECT e.json FROM current_state c JOIN events e ON e.event_id = c.event_id WHERE c.room_id = @r", ("r", room));
            bytes += await SumLengthsAsync(state, ct);
            await using var timeline = Command(conn, $"SELECT json FROM events WHERE room_id = @r ORDER BY stream_ordering DESC LIMIT {timelineLimit}", ("r", room));
            bytes += await SumLengthsAsync(timeline, ct);
        }
        return bytes;
    }

    private static async Task<long> SumLengthsAsync(DbCommand cmd, CancellationToken ct)
    {
        long bytes = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            bytes += r.GetString(0).Length;
        return bytes;
    }

    private static DbCommand Command(DbConnection conn, string sql, (string Name, object Value) parameter)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        var p = cmd.CreateParameter();
        p.ParameterName = parameter.Name;
        p.Value = parameter.Value;
        cmd.Parameters.Add(p);
        return cmd;
    }
}
