using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Relations;

/// <summary>
/// Adds the server-side aggregations the spec places in <c>unsigned.m.relations</c>: for a thread root its
/// <c>m.thread</c> summary (latest event, count, whether the viewer took part), and for an edited event the
/// most recent valid <c>m.replace</c> (same sender as the original). Annotations are not aggregated by servers
/// since spec v1.7.
/// </summary>
public sealed class RelationAggregator(Database db)
{
    // Threads and edits in one statement: most pages have neither, and every woken receiver of a busy room reads one.
    // A relation counts only from an event of its target's room: anyone can name any event ID in m.relates_to.
    private static string SelectAggregates(SqlDialect d) => $"""
        SELECT 'm.thread' AS RelType, r.relates_to_id AS Target, CAST(COUNT(*) AS BIGINT) AS Count,
               CAST(MAX(e.stream_ordering) AS BIGINT) AS Position, CAST(MAX(CASE WHEN e.sender = @User THEN 1 ELSE 0 END) AS BIGINT) AS Participated,
               '' AS EventId, '' AS Sender, CAST(0 AS BIGINT) AS OriginServerTs
        FROM event_relations r JOIN events e ON e.event_id = r.event_id JOIN events t ON t.event_id = r.relates_to_id AND t.room_id = e.room_id
        WHERE r.rel_type = 'm.thread' AND {d.InLongList("r.relates_to_id", "Ids")} GROUP BY r.relates_to_id
        UNION ALL
        SELECT 'm.replace', r.relates_to_id, CAST(0 AS BIGINT), e.stream_ordering, CAST(0 AS BIGINT), e.event_id, e.sender, e.origin_server_ts
        FROM event_relations r JOIN events e ON e.event_id = r.event_id JOIN events t ON t.event_id = r.relates_to_id AND t.room_id = e.room_id
        WHERE r.rel_type = 'm.replace' AND {d.InLongList("r.relates_to_id", "Ids")}
        ORDER BY 4
        """;

    internal sealed class Aggregate
    {
        public string RelType { get; set; } = "";
        public string Target { get; set; } = "";
        public long Count { get; set; }
        public long Position { get; set; }
        public long Participated { get; set; }
        public string EventId { get; set; } = "";
        public string Sender { get; set; } = "";
        public long OriginServerTs { get; set; }
    }

    /// <summary>
    /// The aggregations of a set of events as one viewer sees them, read once so the events of many rooms can be
    /// formatted without a query each.
    /// </summary>
    public sealed class Relations
    {
        internal Relations(IReadOnlySet<string> covered, IReadOnlyList<Aggregate> aggregates, IReadOnlyDictionary<long, EventRow> latest)
        {
            Covered = covered;
            Threads = aggregates.Where(a => a.RelType == RelationStore.Thread).ToDictionary(a => a.Target);
            // In stream order, so the last one per target and sender is the edit in force.
            Edits = aggregates.Where(a => a.RelType == RelationStore.Replace).ToLookup(a => a.Target);
            Latest = latest;
        }

        private IReadOnlySet<string> Covered { get; }
        internal IReadOnlyDictionary<string, Aggregate> Threads { get; }
        internal ILookup<string, Aggregate> Edits { get; }
        internal IReadOnlyDictionary<long, EventRow> Latest { get; }

        public bool Covers(IEnumerable<EventRow> rows) => rows.All(r => Covered.Contains(r.EventId));
    }

    public async Task<Relations> LoadAsync(UserId userId, IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        if (eventIds.Count == 0)
            return new Relations(new HashSet<string>(), [], new Dictionary<long, EventRow>());
        var d = db.Dialect;
        var aggregates = await db.ReadAsync(c => c.ListAsync<Aggregate>(SelectAggregates(d), new { Ids = d.ListParameter(eventIds), User = userId.ToString() }, ct), ct);
        var positions = aggregates.Where(a => a.RelType == RelationStore.Thread).Select(a => a.Position).ToArray();
        var latest = positions.Length == 0 ? [] : await db.ReadAsync(c => c.ListAsync<EventRow>(
            $"SELECT * FROM events WHERE {d.InLongList("stream_ordering", "Positions")}", new { Positions = d.ListParameter(positions) }, ct), ct);
        return new Relations(eventIds.ToHashSet(), aggregates, latest.ToDictionary(r => r.StreamOrdering));
    }

    /// <summary>
    /// The <c>m.relations</c> of <paramref name="row"/> for <paramref name="userId"/> from aggregations read with
    /// <see cref="LoadAsync"/> (which must cover the row); null when it has none.
    /// </summary>
    public static JsonObject? RelationsOf(string userId, RoomVersion version, EventRow row, Relations loaded, long nowMs)
    {
        JsonObject? relations = null;
        if (loaded.Threads.TryGetValue(row.EventId, out var summary) && loaded.Latest.TryGetValue(summary.Position, out var latest))
        {
            relations = new JsonObject
            {
                [RelationStore.Thread] = new JsonObject
                {
                    ["latest_event"] = ClientEventFormatter.FormatRaw(latest, version, nowMs),
                    ["count"] = summary.Count,
                    ["current_user_participated"] = row.Sender == userId || summary.Participated != 0,
                },
            };
        }
        if (loaded.Edits[row.EventId].LastOrDefault(e => e.Sender == row.Sender) is { } edit)
            (relations ??= [])[RelationStore.Replace] = new JsonObject { ["event_id"] = edit.EventId, ["origin_server_ts"] = edit.OriginServerTs, ["sender"] = edit.Sender };
        return relations;
    }
}
