using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Presence;

/// <summary>Each user's persisted presence, on its own stream so sync sends only what changed since a token.</summary>
public sealed class PresenceStore(Database db, StreamPublisher writer)
{

    private const string Upsert = """
        INSERT INTO presence (user_id, state, status_msg, last_active_ts, stream_id) VALUES (@UserId, @State, @StatusMsg, @LastActiveTs, @StreamId)
        ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, status_msg = excluded.status_msg,
            last_active_ts = excluded.last_active_ts, stream_id = excluded.stream_id
        """;
    // The request log keeps users.last_active_ts current (once a minute), so presence need not write on every sync.
    private const string Columns = """
        p.user_id, p.state, p.status_msg, p.stream_id,
        CASE WHEN u.last_active_ts > p.last_active_ts THEN u.last_active_ts ELSE p.last_active_ts END AS last_active_ts
        FROM presence p LEFT JOIN users u ON u.user_id = p.user_id
        """;
    private const string SelectOne = $"SELECT {Columns} WHERE p.user_id = @UserId";
    private const string SelectNotOffline = $"SELECT {Columns} WHERE p.state <> 'offline'";
    // Presence of everyone sharing a joined room with the reader, the reader included.
    private const string SelectChangedForReader = $"""
        SELECT {Columns}
        WHERE p.stream_id > @After AND p.stream_id <= @Upto AND (p.user_id = @Reader OR p.user_id IN (
            SELECT other.user_id FROM room_memberships mine
            JOIN room_memberships other ON other.room_id = mine.room_id AND other.membership = 'join'
            WHERE mine.user_id = @Reader AND mine.membership = 'join'))
        ORDER BY p.stream_id
        """;
    private const string SelectChanged = $"SELECT {Columns} WHERE p.stream_id > @After AND p.stream_id <= @Upto ORDER BY p.stream_id";
    public sealed class Row
    {
        public string UserId { get; set; } = "";
        public string State { get; set; } = "";
        public string? StatusMsg { get; set; }
        public long LastActiveTs { get; set; }
        public long StreamId { get; set; }
    }

    /// <summary>Stores a change the user and everyone sharing a room with them must hear about, at a new stream position.</summary>
    public Task<long> PutAsync(string userId, string state, string? statusMsg, long lastActiveTs, CancellationToken ct) =>
        writer.WriteAsync(async st =>
        {
            var streamId = await st.NextAsync(StreamNames.Presence, ct);
            await st.Connection.RunAsync(Upsert, new { UserId = userId, State = state, StatusMsg = statusMsg, LastActiveTs = lastActiveTs, StreamId = streamId }, ct, st.Transaction);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.Presence, streamId, [userId]) { PeersOf = userId });
            return streamId;
        }, ct);

    public Task<Row?> GetAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<Row>(SelectOne, new { UserId = userId }, ct), ct);

    public Task<IReadOnlyList<Row>> NotOfflineAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Row>(SelectNotOffline, null, ct), ct);

    public Task<IReadOnlyList<Row>> ChangedForReaderAsync(string readerId, long after, long upto, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Row>(SelectChangedForReader, new { Reader = readerId, After = after, Upto = upto }, ct), ct);

    /// <summary>Everyone's presence changes in (<paramref name="after"/>, <paramref name="upto"/>], for readers that filter themselves.</summary>
    public Task<IReadOnlyList<Row>> ChangedAsync(long after, long upto, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Row>(SelectChanged, new { After = after, Upto = upto }, ct), ct);

}
