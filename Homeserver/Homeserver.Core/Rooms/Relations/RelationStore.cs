using System.Data.Common;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Relations;

/// <summary>Which event relates to which (<c>m.relates_to</c>), for <c>/relations</c>, <c>/threads</c> and the aggregations in <c>unsigned</c>.</summary>
public sealed class RelationStore(Database db)
{
    public const string Thread = "m.thread";
    public const string Replace = "m.replace";

    private const string Insert = """
        INSERT INTO event_relations (event_id, relates_to_id, rel_type, aggregation_key) VALUES (@EventId, @Target, @RelType, @Key)
        ON CONFLICT (event_id) DO NOTHING
        """;
    private const string Delete = "DELETE FROM event_relations WHERE event_id = @EventId";
    private const string SelectChildren = """
        SELECT e.* FROM event_relations r JOIN events e ON e.event_id = r.event_id
        WHERE r.relates_to_id = @Target AND e.room_id = @RoomId
          AND (@RelType IS NULL OR r.rel_type = @RelType) AND (@EventType IS NULL OR e.event_type = @EventType)
          AND e.stream_ordering < @Before AND e.stream_ordering > @After
        ORDER BY e.stream_ordering DESC LIMIT @Limit
        """;
    private const string SelectChildrenForward = """
        SELECT e.* FROM event_relations r JOIN events e ON e.event_id = r.event_id
        WHERE r.relates_to_id = @Target AND e.room_id = @RoomId
          AND (@RelType IS NULL OR r.rel_type = @RelType) AND (@EventType IS NULL OR e.event_type = @EventType)
          AND e.stream_ordering > @After AND e.stream_ordering < @Before
        ORDER BY e.stream_ordering ASC LIMIT @Limit
        """;
    private const string SelectThreadRoots = """
        SELECT e.*, t.latest AS thread_latest FROM events e
        JOIN (SELECT r.relates_to_id AS root, MAX(c.stream_ordering) AS latest
              FROM event_relations r JOIN events c ON c.event_id = r.event_id
              WHERE r.rel_type = 'm.thread' AND c.room_id = @RoomId GROUP BY r.relates_to_id) t ON t.root = e.event_id
        WHERE e.room_id = @RoomId AND t.latest < @Before
        ORDER BY t.latest DESC LIMIT @Limit
        """;

    /// <summary>
    /// A target or type that is no identifier (over-long, or holding control characters) is not recorded: it names
    /// no stored event or known relation, and PostgreSQL could not index it.
    /// </summary>
    public static Task InsertAsync(DbConnection c, DbTransaction tx, string eventId, string target, string relType, string? key, CancellationToken ct) =>
        StoredText.IsIdentifier(target) && StoredText.IsIdentifier(relType)
            ? c.RunAsync(Insert, new { EventId = eventId, Target = target, RelType = relType, Key = StoredText.Column(key) }, ct, tx)
            : Task.CompletedTask;

    /// <summary>A redacted event loses its <c>m.relates_to</c>, so it stops counting as a relation.</summary>
    public static Task DeleteAsync(DbConnection c, DbTransaction tx, string eventId, CancellationToken ct) =>
        c.RunAsync(Delete, new { EventId = eventId }, ct, tx);

    public Task<IReadOnlyList<EventRow>> ChildrenAsync(string roomId, string target, string? relType, string? eventType,
        long before, long after, bool backwards, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<EventRow>(backwards ? SelectChildren : SelectChildrenForward,
            new { RoomId = roomId, Target = target, RelType = relType, EventType = eventType, Before = before, After = after, Limit = limit }, ct), ct);

    /// <summary>Thread roots of a room, most recently active first, active before <paramref name="before"/>.</summary>
    public async Task<IReadOnlyList<(EventRow Root, long Latest)>> ThreadRootsAsync(string roomId, long before, int limit, CancellationToken ct)
    {
        var rows = await db.ReadAsync(c => c.ListAsync<ThreadRootEventRow>(SelectThreadRoots, new { RoomId = roomId, Before = before, Limit = limit }, ct), ct);
        return rows.Select(r => ((EventRow)r, r.ThreadLatest)).ToList();
    }

    /// <summary>An events row with the latest activity of the thread it roots.</summary>
    private sealed class ThreadRootEventRow : EventRow
    {
        public long ThreadLatest { get; set; }
    }
}
