using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// The auth difference: the events in some states' full auth chains but not in all of them. A state's full auth
/// chain counts its own events too, as Synapse and ruma compute it: otherwise an unconflicted event that only one
/// branch's events happen to cite would land in the difference.
/// </summary>
public static class AuthDifference
{
    public static async Task<HashSet<EventId>> ComputeAsync(
        ResolutionEvents events, IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(states);
        var union = new HashSet<EventId>();
        HashSet<EventId>? intersection = null;
        foreach (IReadOnlyDictionary<StateEventKey, EventId> state in states)
        {
            var chain = new HashSet<EventId>();
            foreach (EventId id in state.Values)
            {
                if (await events.FindAsync(id, ct) is not null)
                {
                    chain.Add(id);
                    chain.UnionWith(await events.AuthChainAsync(id, ct));
                }
            }

            union.UnionWith(chain);
            if (intersection is null)
            {
                intersection = chain;
            }
            else
            {
                intersection.IntersectWith(chain);
            }
        }

        if (intersection is not null)
        {
            union.ExceptWith(intersection);
        }

        return union;
    }
}
