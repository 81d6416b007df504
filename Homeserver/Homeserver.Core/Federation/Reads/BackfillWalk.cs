using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Reads;

/// <summary>
/// The events <c>/backfill</c> answers: the given events and those before them, deepest first, as Synapse walks
/// them. A queue ordered by depth (then timeline position), newest first, is fed each taken event's parents, so a
/// fork's branches are taken together, level by level, rather than one branch to the room's start.
/// </summary>
public static class BackfillWalk
{
    /// <returns>At most <paramref name="limit"/> events of the room, the given ones included, by depth then position, newest first.</returns>
    public static async Task<IReadOnlyList<EventGraphStore.Node>> RunAsync(IEventDag dag, IEnumerable<string> from, int limit, CancellationToken ct)
    {
        var queue = new PriorityQueue<EventGraphStore.Node, (long, long)>();
        foreach (var id in from.Distinct())
            if (await dag.FindAsync(id, ct) is { } seed)
                queue.Enqueue(seed, Priority(seed));
        var taken = new Dictionary<string, EventGraphStore.Node>();
        while (taken.Count < limit && queue.TryDequeue(out var node, out _))
        {
            if (!taken.TryAdd(node.EventId, node))
                continue;
            foreach (var parent in await dag.ParentsAsync(node.EventId, ct))
                if (!taken.ContainsKey(parent.EventId))
                    queue.Enqueue(parent, Priority(parent));
        }
        return taken.Values.OrderByDescending(n => n.Depth).ThenByDescending(n => n.StreamOrdering).ToList();
    }

    private static (long, long) Priority(EventGraphStore.Node node) => (-node.Depth, -node.StreamOrdering);
}
