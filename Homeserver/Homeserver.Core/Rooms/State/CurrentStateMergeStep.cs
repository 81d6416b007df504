using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State.Resolution;
using Homeserver.Core.Streams;
using EventId = Homeserver.Core.Identifiers.EventId;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// Keeps a forked room's current state the resolution of the states after its forward extremities, as Synapse keeps
/// it, so servers that hold the same branches serve the same state whether or not anyone has built on them all yet.
/// An event that joins every branch (its <c>prev_events</c> are all the room's extremities) makes its own state after
/// current, which state resolution gave when it was built; an event that leaves the room forked has the states after
/// the other extremities and after itself resolved. The entries that differ from the current state are written in the
/// event's transaction, after the event's own entry, with the membership index and room name they carry.
/// </summary>
public sealed class CurrentStateMergeStep(RoomStore rooms, CurrentStateStore current, StateService state) : IEventTransactionStep
{
    public async Task<Func<StreamTransaction, long, Task>?> PrepareAsync(IngestContext ctx, CancellationToken ct)
    {
        var (pdu, stateGroupBefore) = (ctx.Event, ctx.StateBefore?.Group);
        if (stateGroupBefore is not { } group)
            return null;
        var roomId = pdu.RoomId.ToString();
        var prev = pdu.PrevEvents.Select(p => p.ToString()).ToHashSet();
        var others = (ctx.ForwardExtremities ?? await rooms.ForwardExtremitiesAsync(roomId, ct)).Where(x => !prev.Contains(x.EventId) && x.EventId != pdu.EventId.ToString()).ToList();
        if (others.Count == 0 && prev.Count < 2)
            return null;
        var own = pdu.IsState ? new StateEventKey(pdu.Type, pdu.StateKey!) : (StateEventKey?)null;
        var after = StateMap.Parse(await state.GetGroupAsync(group, ct));
        if (own is { } key)
            after[key] = pdu.EventId;
        var target = others.Count == 0 ? after : await ResolveAsync(pdu, after, others, ct);
        var now = await current.GetStateAsync(roomId, ct);
        var changed = new List<Pdu>();
        foreach (var (k, eventId) in target)
            if ((k == own ? eventId != pdu.EventId : !now.TryGetValue(k, out var id) || id != eventId.ToString())
                && (eventId == pdu.EventId ? pdu : await state.GetEventAsync(eventId.ToString(), pdu.RoomVersion, ct)) is { } ev)
                changed.Add(ev);
        var removed = now.Keys.Where(k => !target.ContainsKey(k)).ToList();
        if (own is { } ownKey && !target.ContainsKey(ownKey) && !now.ContainsKey(ownKey))
            removed.Add(ownKey);
        if (changed.Count == 0 && removed.Count == 0)
            return null;
        return async (st, stream) =>
        {
            foreach (var k in removed)
                await CurrentStateStore.RemoveStateAsync(st.Connection, st.Transaction, roomId, k, ct);
            foreach (var ev in changed)
            {
                await CurrentStateStore.SetStateAsync(st.Connection, st.Transaction, roomId, new StateEventKey(ev.Type, ev.StateKey!), ev.EventId.ToString(), ct);
                await EventPersister.ApplyStateSideEffectsAsync(st.Connection, st.Transaction, ev, stream, ct);
            }
        };
    }

    /// <summary>The resolution of the state after <paramref name="pdu"/> with the states after the room's other extremities.</summary>
    private async Task<IReadOnlyDictionary<StateEventKey, EventId>> ResolveAsync(Pdu pdu, Dictionary<StateEventKey, EventId> after,
        IReadOnlyList<Timeline.EventRow> others, CancellationToken ct)
    {
        var states = new List<IReadOnlyDictionary<StateEventKey, EventId>> { after };
        foreach (var g in others.Where(x => x.StateGroup is not null).Select(x => x.StateGroup!.Value).Distinct())
            states.Add(StateMap.Parse(await state.GetGroupAsync(g, ct)));
        if (states.Skip(1).All(s => s.Count == after.Count && s.All(e => after.TryGetValue(e.Key, out var id) && id == e.Value)))
            return after;
        var version = await rooms.VersionOfAsync(pdu.RoomId.ToString(), ct);
        return await StateResolver.ResolveAsync(version, states, new WithEvent(new StoredResolutionEvents(state, pdu.RoomId, version), pdu), ct);
    }

    /// <summary>The stored events and the event being persisted, which is not stored yet.</summary>
    private sealed class WithEvent(IStateResolutionEvents stored, Pdu pdu) : IStateResolutionEvents
    {
        public ValueTask<Pdu?> FindAsync(EventId eventId, CancellationToken ct) =>
            eventId == pdu.EventId ? ValueTask.FromResult<Pdu?>(pdu) : stored.FindAsync(eventId, ct);
    }
}
