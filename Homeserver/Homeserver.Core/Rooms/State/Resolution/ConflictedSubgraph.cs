using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// State resolution v2.1 (room version 12, MSC4297): the conflicted state subgraph, every event on an auth-event
/// path from one conflicted event to another, ends included. Such an event is in the auth chain of a conflicted
/// event and has a conflicted event in its own auth chain (or is one); from v2.1 it joins the full conflicted set,
/// so the iterative auth checks, which start from an empty state, see the events that authorise the conflicted ones.
/// </summary>
public static class ConflictedSubgraph
{
    public static async Task<HashSet<EventId>> ComputeAsync(ResolutionEvents events, IReadOnlySet<EventId> conflicted, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(conflicted);
        var below = new HashSet<EventId>();
        foreach (EventId id in conflicted)
        {
            below.UnionWith(await events.AuthChainAsync(id, ct));
        }

        var subgraph = new HashSet<EventId>();
        foreach (EventId id in below)
        {
            if (conflicted.Overlaps(await events.AuthChainAsync(id, ct)))
            {
                subgraph.Add(id);
            }
        }

        foreach (EventId id in conflicted)
        {
            if (await events.FindAsync(id, ct) is not null)
            {
                subgraph.Add(id);
            }
        }

        return subgraph;
    }
}
