using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// State resolution v2 (room versions 2–11) and v2.1 (room version 12), as the room version pages give them:
/// <list type="number">
/// <item>the power events of the full conflicted set, with the events of that set in their auth chains, in reverse
/// topological power order;</item>
/// <item>the iterative auth checks over them, from the unconflicted state map (v2) or from an empty state (v2.1);</item>
/// <item>the rest of the full conflicted set in mainline order, from the power levels that step resolved;</item>
/// <item>the iterative auth checks over those, from the state step 2 made;</item>
/// <item>the unconflicted state map laid over the result.</item>
/// </list>
/// v2.1 also counts the conflicted state subgraph in the full conflicted set.
/// </summary>
public static class StateResolutionV2
{
    public static async Task<IReadOnlyDictionary<StateEventKey, EventId>> ResolveAsync(
        RoomVersion version, IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states, ResolutionEvents events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(events);
        var isV21 = version.StateResolution == StateResolutionAlgorithm.V2_1;
        var split = ConflictSplit.Of(states);
        if (split.Conflicted.Count == 0)
        {
            return split.Unconflicted;
        }

        IReadOnlySet<EventId> conflicted = split.ConflictedEvents;
        var fullConflictedSet = await AuthDifference.ComputeAsync(events, states, ct);
        fullConflictedSet.UnionWith(conflicted);
        if (isV21)
        {
            fullConflictedSet.UnionWith(await ConflictedSubgraph.ComputeAsync(events, conflicted, ct));
        }

        List<Pdu> full = await events.FindAllAsync(fullConflictedSet, ct);
        fullConflictedSet.IntersectWith(full.Select(e => e.EventId));

        IReadOnlyList<Pdu> powerOrdered = await ReverseTopologicalPowerOrder.SortAsync(
            events, full.Where(PowerEvents.IsPowerEvent), fullConflictedSet, ct);
        var partial = await IterativeAuthChecks.ApplyAsync(
            events, isV21 ? new Dictionary<StateEventKey, EventId>() : split.Unconflicted, powerOrdered, ct);

        var inFirstPass = powerOrdered.Select(e => e.EventId).ToHashSet();
        EventId? resolvedPowerLevels = partial.TryGetValue(new StateEventKey(EventTypes.PowerLevels, ""), out EventId id) ? id : null;
        IReadOnlyList<Pdu> mainlineOrdered = await MainlineOrder.SortAsync(
            events, full.Where(e => !inFirstPass.Contains(e.EventId)).ToList(), resolvedPowerLevels, ct);
        var resolved = await IterativeAuthChecks.ApplyAsync(events, partial, mainlineOrdered, ct);

        foreach ((StateEventKey key, EventId unconflicted) in split.Unconflicted)
        {
            resolved[key] = unconflicted;
        }

        return resolved;
    }
}
