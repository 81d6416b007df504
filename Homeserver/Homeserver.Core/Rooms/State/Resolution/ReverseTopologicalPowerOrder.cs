using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// The reverse topological power ordering (state resolution v2): the power events of the full conflicted set and
/// the events of that set in their auth chains, every event after its auth events, and among those free to come
/// next the one whose sender has the greatest power, then the earliest <c>origin_server_ts</c>, then the smallest
/// event ID (Kahn's algorithm, choosing by that order at each step).
/// </summary>
/// <remarks>
/// The graph follows auth events only while they are in the full conflicted set, as Synapse, ruma and Dendrite
/// build it, so the edges are the auth events within the set.
/// </remarks>
public static class ReverseTopologicalPowerOrder
{
    public static async Task<IReadOnlyList<Pdu>> SortAsync(
        ResolutionEvents events, IEnumerable<Pdu> powerEvents, IReadOnlySet<EventId> fullConflictedSet, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(powerEvents);
        ArgumentNullException.ThrowIfNull(fullConflictedSet);
        var graph = await GraphAsync(events, powerEvents, fullConflictedSet, ct);
        var keys = new Dictionary<EventId, TieBreak>();
        foreach (Pdu ev in graph.Nodes.Values)
        {
            keys[ev.EventId] = new TieBreak(await SenderPowerLevel.OfAsync(events, ev, ct), ev);
        }

        var waitingOn = graph.Nodes.Keys.ToDictionary(id => id, id => graph.Parents[id].Count);
        var ready = new PriorityQueue<Pdu, TieBreak>(TieBreak.Comparer);
        foreach ((EventId id, int count) in waitingOn)
        {
            if (count == 0)
            {
                ready.Enqueue(graph.Nodes[id], keys[id]);
            }
        }

        var sorted = new List<Pdu>(graph.Nodes.Count);
        while (ready.TryDequeue(out Pdu? next, out _))
        {
            sorted.Add(next);
            foreach (EventId child in graph.Children[next.EventId])
            {
                if (--waitingOn[child] == 0)
                {
                    ready.Enqueue(graph.Nodes[child], keys[child]);
                }
            }
        }

        return sorted;
    }

    private sealed record Graph(
        Dictionary<EventId, Pdu> Nodes, Dictionary<EventId, HashSet<EventId>> Parents, Dictionary<EventId, HashSet<EventId>> Children);

    private static async Task<Graph> GraphAsync(
        ResolutionEvents events, IEnumerable<Pdu> start, IReadOnlySet<EventId> fullConflictedSet, CancellationToken ct)
    {
        var graph = new Graph([], [], []);
        var pending = new Stack<Pdu>(start);
        while (pending.TryPop(out Pdu? ev))
        {
            if (!graph.Nodes.TryAdd(ev.EventId, ev))
            {
                continue;
            }

            graph.Parents[ev.EventId] = [];
            graph.Children.TryAdd(ev.EventId, []);
            foreach (EventId parentId in ev.AuthEvents.Where(fullConflictedSet.Contains).Distinct())
            {
                if (await events.FindAsync(parentId, ct) is not { } parent)
                {
                    continue;
                }

                graph.Parents[ev.EventId].Add(parentId);
                if (!graph.Children.TryGetValue(parentId, out HashSet<EventId>? children))
                {
                    graph.Children[parentId] = children = [];
                }

                children.Add(ev.EventId);
                pending.Push(parent);
            }
        }

        return graph;
    }

    /// <summary>Greater power first, then <see cref="EventTiebreak"/>.</summary>
    private readonly record struct TieBreak(long PowerLevel, Pdu Event)
    {
        public static IComparer<TieBreak> Comparer { get; } = Comparer<TieBreak>.Create((x, y) =>
        {
            int byPower = y.PowerLevel.CompareTo(x.PowerLevel);
            return byPower != 0 ? byPower : EventTiebreak.ByTimestampThenId(x.Event, y.Event);
        });
    }
}
