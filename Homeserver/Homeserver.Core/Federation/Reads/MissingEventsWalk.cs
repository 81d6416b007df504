using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Reads;

/// <summary>
/// The events <c>/get_missing_events</c> answers: a breadth-first walk of <c>prev_events</c> back from the latest
/// events the asker holds, not into the earliest events it holds, nor below the minimum depth, up to the limit
/// (server-server API, "Backfilling and retrieving missing events").
/// </summary>
public static class MissingEventsWalk
{
    /// <returns>The events between, oldest first (by depth, then timeline position), without the latest events themselves.</returns>
    public static async Task<IReadOnlyList<EventGraphStore.Node>> RunAsync(IEventDag dag, IEnumerable<string> earliest, IEnumerable<string> latest,
        int limit, long minDepth, CancellationToken ct)
    {
        var seen = earliest.ToHashSet(StringComparer.Ordinal);
        var front = latest.Where(id => !seen.Contains(id)).Distinct().ToList();
        var found = new List<EventGraphStore.Node>();
        while (front.Count > 0 && found.Count < limit)
        {
            var next = new List<string>();
            foreach (var id in front)
            {
                var parents = (await dag.ParentsAsync(id, ct)).OrderByDescending(p => p.Depth).ThenByDescending(p => p.StreamOrdering);
                foreach (var parent in parents)
                {
                    if (found.Count == limit)
                        break;
                    if (parent.Depth < minDepth || !seen.Add(parent.EventId))
                        continue;
                    found.Add(parent);
                    next.Add(parent.EventId);
                }
            }
            front = next;
        }
        return found.OrderBy(n => n.Depth).ThenBy(n => n.StreamOrdering).ToList();
    }
}
