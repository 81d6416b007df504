using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>Persisted room events and their order in the global timeline stream.</summary>
public sealed class EventStore(Database db)
{

    private const string Insert = """
        INSERT INTO events (stream_ordering, event_id, room_id, event_type, state_key, sender, depth, origin_server_ts, body, media_url, json, state_group_before, state_group,
            withheld)
        VALUES (@StreamOrdering, @EventId, @RoomId, @EventType, @StateKey, @Sender, @Depth, @OriginServerTs, @Body, @MediaUrl, @Json, @StateGroupBefore, @StateGroup,
            @Withheld)
        """;
    private const string InsertEdge = "INSERT INTO event_edges (event_id, prev_event_id) VALUES (@EventId, @Prev)";
    private const string SelectOne = "SELECT * FROM events WHERE event_id = @EventId";
    // Outliers have no stream position, state or redaction of their own: those columns stay unset (0 and null).
    private const string OutlierColumns = "event_id, room_id, event_type, state_key, sender, depth, origin_server_ts";
    private const string SelectOneOutlier = $"SELECT {OutlierColumns}, json FROM outlier_events WHERE event_id = @EventId";
    // A room's timeline starts at its history_start: what a history purge left before it is no longer part of it.
    private const string InTimeline = "stream_ordering >= (SELECT history_start FROM rooms WHERE room_id = @RoomId)";
    private const string SelectBackwards = $"""
        SELECT * FROM events WHERE room_id = @RoomId AND stream_ordering < @From AND stream_ordering > @To AND {InTimeline}
        ORDER BY stream_ordering DESC LIMIT @Limit
        """;
    private const string SelectForwards = $"""
        SELECT * FROM events WHERE room_id = @RoomId AND stream_ordering > @From AND stream_ordering < @To AND {InTimeline}
        ORDER BY stream_ordering ASC LIMIT @Limit
        """;
    private const string CountBefore = """
        SELECT COUNT(*) FROM (SELECT 1 AS one FROM events WHERE room_id = @RoomId AND stream_ordering < @Before LIMIT @Limit) t
        """;
    private const string SelectHistoryStart = "SELECT history_start FROM rooms WHERE room_id = @RoomId";
    private const string SelectMaxStream = "SELECT COALESCE(MAX(stream_ordering), 0) FROM events";
    private const string SelectMinDepth = "SELECT COALESCE(MIN(depth), 0) FROM events WHERE room_id = @RoomId";
    private const string SelectRange = "SELECT * FROM events WHERE stream_ordering > @After AND stream_ordering <= @Upto ORDER BY stream_ordering LIMIT @Limit";
    // Seeks each of the user's rooms on (room_id, stream_ordering) rather than reading the whole stream range: a
    // receiver woken every few seconds on a busy server would otherwise read every event sent by anyone meanwhile.
    private const string SelectActiveRooms = """
        SELECT m.room_id AS RoomId,
            EXISTS (SELECT 1 FROM events e WHERE e.room_id = m.room_id AND e.stream_ordering > @After AND e.stream_ordering <= @Upto
                    AND e.event_type = 'm.room.member') AS MembersChanged
        FROM room_memberships m
        WHERE m.user_id = @UserId AND m.membership = 'join'
          AND EXISTS (SELECT 1 FROM events e WHERE e.room_id = m.room_id AND e.stream_ordering > @After AND e.stream_ordering <= @Upto)
        """;
    // Only an event of the redaction's own room: the target of a redaction is whatever ID its sender wrote.
    private const string SetRedactedBy = "UPDATE events SET redacted_by = @RedactedBy WHERE event_id = @EventId AND room_id = @RoomId AND redacted_by IS NULL";

    public static async Task InsertAsync(DbConnection c, DbTransaction tx, EventRow row, IEnumerable<string> prevEvents, CancellationToken ct)
    {
        row.Body = StoredText.Column(row.Body);
        row.MediaUrl = StoredText.Column(row.MediaUrl);
        await c.RunAsync(Insert, row, ct, tx);
        foreach (var prev in prevEvents)
            await c.RunAsync(InsertEdge, new { row.EventId, Prev = prev }, ct, tx);
    }

    /// <summary>Marks <paramref name="eventId"/> redacted if it is an unredacted event of <paramref name="roomId"/>; whether it was.</summary>
    public static async Task<bool> MarkRedactedAsync(DbConnection c, DbTransaction tx, string roomId, string eventId, string redactedBy, CancellationToken ct) =>
        await c.RunAsync(SetRedactedBy, new { RoomId = roomId, EventId = eventId, RedactedBy = redactedBy }, ct, tx) > 0;

    /// <summary>An event of a room's timeline; outliers are not (<see cref="GetIncludingOutliersAsync"/>).</summary>
    public Task<EventRow?> GetAsync(string eventId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<EventRow>(SelectOne, new { EventId = eventId }, ct), ct);

    /// <summary>
    /// An event of a timeline or an outlier (<see cref="OutlierStore"/>): what reads of auth events and of the events a
    /// state map names want, since the state a room was joined with over federation is held as outliers.
    /// </summary>
    public async Task<EventRow?> GetIncludingOutliersAsync(string eventId, CancellationToken ct) =>
        await GetAsync(eventId, ct)
        ?? await db.ReadAsync(c => c.FirstOrDefaultAsync<EventRow>(SelectOneOutlier, new { EventId = eventId }, ct), ct);

    /// <summary>
    /// Every column of <c>events</c> (aliased <paramref name="alias"/>) with the PDU as UTF-8 bytes (<see cref="EventRow.JsonUtf8"/>)
    /// instead of text: the reads of many events that sync formats would otherwise decode each PDU to text to encode it back.
    /// </summary>
    private string Utf8Columns(string alias) =>
        $"""
        {alias}.stream_ordering, {alias}.event_id, {alias}.room_id, {alias}.event_type, {alias}.state_key, {alias}.sender, {alias}.depth,
        {alias}.origin_server_ts, {alias}.body, {alias}.media_url, {alias}.state_group_before, {alias}.state_group, {alias}.redacted_by,
        {alias}.withheld,
        {JsonUtf8Column($"{alias}.json")} AS json_utf8
        """;

    private string JsonUtf8Column(string column) =>
        db.Dialect.Engine == DatabaseEngine.Postgres ? $"convert_to({column}, 'UTF8')" : $"CAST({column} AS BLOB)";

    /// <summary>Events of every room after <paramref name="after"/> up to <paramref name="upto"/>, oldest first: the timeline stream read as a queue.</summary>
    public Task<IReadOnlyList<EventRow>> RangeAsync(long after, long upto, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<EventRow>(SelectRange, new { After = after, Upto = upto, Limit = limit }, ct), ct);

    /// <summary>The events of these IDs that are stored, outliers included (they are what state maps name in a room joined over federation).</summary>
    public async Task<IReadOnlyDictionary<string, EventRow>> GetManyAsync(IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        if (eventIds.Count == 0)
            return new Dictionary<string, EventRow>();
        var sql = $"SELECT {Utf8Columns("e")} FROM events e WHERE " + db.Dialect.InLongList("e.event_id", "EventIds");
        var rows = (await db.ReadAsync(c => c.ListAsync<EventRow>(sql, new { EventIds = db.Dialect.ListParameter(eventIds) }, ct), ct))
            .ToDictionary(r => r.EventId);
        var missing = eventIds.Where(id => !rows.ContainsKey(id)).ToList();
        if (missing.Count == 0)
            return rows;
        var outlierSql = $"SELECT {OutlierColumns}, {JsonUtf8Column("json")} AS json_utf8 FROM outlier_events WHERE "
            + db.Dialect.InLongList("event_id", "EventIds");
        foreach (var row in await db.ReadAsync(c => c.ListAsync<EventRow>(outlierSql, new { EventIds = db.Dialect.ListParameter(missing) }, ct), ct))
            rows[row.EventId] = row;
        return rows;
    }

    /// <summary>
    /// Events of a room strictly between two stream positions, newest first (<paramref name="backwards"/>) or
    /// oldest first. <paramref name="to"/> bounds the far end (long.MinValue or long.MaxValue for none: backfilled events lie below 0).
    /// </summary>
    public Task<IReadOnlyList<EventRow>> PageAsync(string roomId, long from, long to, bool backwards, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<EventRow>(backwards ? SelectBackwards : SelectForwards,
            new { RoomId = roomId, From = from, To = to, Limit = limit }, ct), ct);

    /// <summary>How many of the room's events lie before <paramref name="before"/>, counted up to <paramref name="limit"/>.</summary>
    public Task<long> CountBeforeAsync(string roomId, long before, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(CountBefore, new { RoomId = roomId, Before = before, Limit = limit }, ct), ct);

    /// <summary>A joined room with events in a stretch of the stream, and whether any of them changed a membership.</summary>
    public sealed class ActiveRoom
    {
        public string RoomId { get; set; } = "";
        public bool MembersChanged { get; set; }
    }

    /// <summary>The rooms <paramref name="userId"/> is joined to that have events in (<paramref name="after"/>, <paramref name="upto"/>].</summary>
    public async Task<IReadOnlyList<ActiveRoom>> ActiveRoomsAsync(string userId, long after, long upto, CancellationToken ct) =>
        upto <= after ? [] : await db.ReadAsync(c => c.ListAsync<ActiveRoom>(SelectActiveRooms, new { UserId = userId, After = after, Upto = upto }, ct), ct);

    /// <summary>
    /// The newest <paramref name="limit"/> events at or before <paramref name="upto"/> of each room, newest first, in
    /// one statement: each room's cut-off is one short index read, so rooms with long histories cost no more.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<EventRow>>> NewestOfRoomsAsync(IReadOnlyCollection<string> roomIds, long upto, int limit,
        CancellationToken ct)
    {
        if (roomIds.Count == 0 || limit <= 0)
            return new Dictionary<string, IReadOnlyList<EventRow>>();
        var sql = $"""
            SELECT {Utf8Columns("e")} FROM (
                SELECT r.room_id, r.history_start, COALESCE((SELECT x.stream_ordering FROM events x WHERE x.room_id = r.room_id AND x.stream_ordering <= @Upto
                                            ORDER BY x.stream_ordering DESC LIMIT 1 OFFSET @Skip), 0) AS cutoff
                FROM rooms r WHERE {db.Dialect.InLongList("r.room_id", "RoomIds")}
            ) c JOIN events e ON e.room_id = c.room_id AND e.stream_ordering >= c.cutoff AND e.stream_ordering >= c.history_start AND e.stream_ordering <= @Upto
            """;
        var rows = await db.ReadAsync(c => c.ListAsync<EventRow>(sql, new { RoomIds = db.Dialect.ListParameter(roomIds), Upto = upto, Skip = limit - 1 }, ct), ct);
        return rows.GroupBy(r => r.RoomId).ToDictionary(g => g.Key, g => (IReadOnlyList<EventRow>)g.OrderByDescending(r => r.StreamOrdering).ToList());
    }

    /// <summary>A room's newest event and its newest event of the given types, as stream positions (0 and null when none).</summary>
    public sealed class LatestPositions
    {
        public string RoomId { get; set; } = "";
        public long Latest { get; set; }
        public long? LatestOfTypes { get; set; }
    }

    /// <summary>
    /// Each room's newest event at or before <paramref name="upto"/>, and its newest of <paramref name="types"/>, in one
    /// statement: what ordering a user's rooms by activity needs, without reading the events.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, LatestPositions>> LatestOfRoomsAsync(IReadOnlyCollection<string> roomIds, long upto,
        IReadOnlyList<string> types, CancellationToken ct)
    {
        if (roomIds.Count == 0)
            return new Dictionary<string, LatestPositions>();
        var sql = $"""
            SELECT r.room_id AS RoomId,
                COALESCE((SELECT MAX(x.stream_ordering) FROM events x WHERE x.room_id = r.room_id AND x.stream_ordering <= @Upto), 0) AS Latest,
                (SELECT MAX(x.stream_ordering) FROM events x WHERE x.room_id = r.room_id AND x.stream_ordering <= @Upto
                    AND {db.Dialect.InLongList("x.event_type", "Types")}) AS LatestOfTypes
            FROM rooms r WHERE {db.Dialect.InLongList("r.room_id", "RoomIds")}
            """;
        var rows = await db.ReadAsync(c => c.ListAsync<LatestPositions>(sql,
            new { RoomIds = db.Dialect.ListParameter(roomIds), Upto = upto, Types = db.Dialect.ListParameter(types) }, ct), ct);
        return rows.ToDictionary(r => r.RoomId);
    }

    /// <summary>Where the room's timeline starts: events before this position were purged from it.</summary>
    public Task<long> HistoryStartAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(SelectHistoryStart, new { RoomId = roomId }, ct), ct);

    public Task<long> MaxStreamOrderingAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(SelectMaxStream, null, ct), ct);

    /// <summary>The depth of the room's shallowest stored event; 0 for a room without events.</summary>
    public Task<long> MinDepthAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(SelectMinDepth, new { RoomId = roomId }, ct), ct);
}
