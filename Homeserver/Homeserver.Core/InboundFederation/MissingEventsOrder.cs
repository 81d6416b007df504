using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// The order in which events fetched to fill a gap before a received event are ingested: every event after the
/// events of the batch it names as prev events, so each finds its parents stored; among events free to go, the
/// shallower first, then by event ID, so the order does not depend on how the remote listed them. Fetched auth events
/// are checked in the same order with their auth events as the parents.
/// </summary>
public static class MissingEventsOrder
{
    private static readonly Comparer<(long Depth, string Id)> ShallowerFirst = Comparer<(long Depth, string Id)>.Create((a, b) =>
        a.Depth != b.Depth ? a.Depth.CompareTo(b.Depth) : string.CompareOrdinal(a.Id, b.Id));

    /// <summary>
    /// The batch, oldest first, each event once. An event on a cycle of prev events (which no honest DAG has) is
    /// left out, as is everything after it.
    /// </summary>
    public static IReadOnlyList<Pdu> OldestFirst(IEnumerable<Pdu> batch) => ParentsFirst(batch, ev => ev.PrevEvents);

    /// <summary>The batch, each event after the events of the batch that <paramref name="parents"/> names; cycles left out as above.</summary>
    public static IReadOnlyList<Pdu> ParentsFirst(IEnumerable<Pdu> batch, Func<Pdu, IEnumerable<EventId>> parents)
    {
        var byId = new Dictionary<EventId, Pdu>();
        foreach (var ev in batch)
            byId.TryAdd(ev.EventId, ev);
        var waitingOn = new Dictionary<EventId, int>();
        var children = new Dictionary<EventId, List<EventId>>();
        foreach (var (id, ev) in byId)
        {
            var inBatch = parents(ev).Where(byId.ContainsKey).Distinct().ToList();
            waitingOn[id] = inBatch.Count;
            foreach (var parent in inBatch)
            {
                if (!children.TryGetValue(parent, out var list))
                    children[parent] = list = [];
                list.Add(id);
            }
        }
        var ready = new PriorityQueue<Pdu, (long Depth, string Id)>(ShallowerFirst);
        foreach (var (id, count) in waitingOn)
            if (count == 0)
                ready.Enqueue(byId[id], Key(byId[id]));
        var ordered = new List<Pdu>(byId.Count);
        while (ready.TryDequeue(out var next, out _))
        {
            ordered.Add(next);
            foreach (var child in children.GetValueOrDefault(next.EventId) ?? [])
                if (--waitingOn[child] == 0)
                    ready.Enqueue(byId[child], Key(byId[child]));
        }
        return ordered;
    }

    private static (long, string) Key(Pdu ev) => (ev.Depth, ev.EventId.ToString());
}
