using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Relations;

/// <summary>
/// Adds the server-side aggregations the spec places in <c>unsigned.m.relations</c>: for a thread root its
/// <c>m.thread</c> summary (latest event, count, whether the viewer took part), and for an edited event the
/// most recent valid <c>m.replace</c> (same sender as the original). Annotations are not aggregated by servers
/// since spec v1.7.
/// </summary>
public sealed class RelationAggregator(Database db, TimeProvider time)
{
    private sealed class ThreadSummary
    {
        public string Root { get; set; } = "";
        public long Count { get; set; }
        public long Latest { get; set; }
    }

    private sealed class Edit
    {
        public string Target { get; set; } = "";
        public string EventId { get; set; } = "";
        public string Sender { get; set; } = "";
        public long OriginServerTs { get; set; }
    }

    public async Task AddAsync(string userId, RoomVersion version, IReadOnlyList<(EventRow Row, JsonObject Event)> items, CancellationToken ct)
    {
        if (items.Count == 0)
            return;
        var ids = items.Select(i => i.Row.EventId).ToArray();
        var d = db.Dialect;
        var summaries = await db.ReadAsync(c => c.ListAsync<ThreadSummary>(
            $"""
            SELECT r.relates_to_id AS Root, COUNT(*) AS Count, MAX(e.stream_ordering) AS Latest
            FROM event_relations r JOIN events e ON e.event_id = r.event_id
            WHERE r.rel_type = 'm.thread' AND {d.InList("r.relates_to_id", "Ids")} GROUP BY r.relates_to_id
            """, new { Ids = ids }, ct), ct);
        var participated = await db.ReadAsync(c => c.ListAsync<string>(
            $"""
            SELECT DISTINCT r.relates_to_id FROM event_relations r JOIN events e ON e.event_id = r.event_id
            WHERE r.rel_type = 'm.thread' AND e.sender = @User AND {d.InList("r.relates_to_id", "Ids")}
            """, new { Ids = ids, User = userId }, ct), ct);
        var latestRows = summaries.Count == 0 ? [] : await db.ReadAsync(c => c.ListAsync<EventRow>(
            $"SELECT * FROM events WHERE {d.InList("stream_ordering", "Positions")}", new { Positions = summaries.Select(s => s.Latest).ToArray() }, ct), ct);
        var edits = await db.ReadAsync(c => c.ListAsync<Edit>(
            $"""
            SELECT r.relates_to_id AS Target, e.event_id AS EventId, e.sender AS Sender, e.origin_server_ts AS OriginServerTs
            FROM event_relations r JOIN events e ON e.event_id = r.event_id
            WHERE r.rel_type = 'm.replace' AND {d.InList("r.relates_to_id", "Ids")} ORDER BY e.stream_ordering
            """, new { Ids = ids }, ct), ct);

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (row, ev) in items)
        {
            var relations = new JsonObject();
            if (summaries.FirstOrDefault(s => s.Root == row.EventId) is { } summary &&
                latestRows.FirstOrDefault(r => r.StreamOrdering == summary.Latest) is { } latest)
            {
                relations[RelationStore.Thread] = new JsonObject
                {
                    ["latest_event"] = ClientEventFormatter.Format(latest, version, now),
                    ["count"] = summary.Count,
                    ["current_user_participated"] = row.Sender == userId || participated.Contains(row.EventId),
                };
            }
            if (edits.LastOrDefault(e => e.Target == row.EventId && e.Sender == row.Sender) is { } edit)
                relations[RelationStore.Replace] = new JsonObject { ["event_id"] = edit.EventId, ["origin_server_ts"] = edit.OriginServerTs, ["sender"] = edit.Sender };
            if (relations.Count > 0)
                ((JsonObject)ev["unsigned"]!)["m.relations"] = relations;
        }
    }
}
