using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// An event that joins every branch of a forked room (its <c>prev_events</c> are all the room's extremities) makes
/// the current state its own state after, which state resolution gave; until then each branch's state events set
/// current state as they arrived. The entries that differ are written in the event's transaction, with the
/// membership index and room name they carry.
/// </summary>
public sealed class CurrentStateMergeStep(RoomStore rooms, CurrentStateStore current, StateService state) : IEventTransactionStep
{
    public async Task<Func<StreamTransaction, long, Task>?> PrepareAsync(Pdu pdu, long? stateGroupBefore, CancellationToken ct)
    {
        if (pdu.PrevEvents.Count < 2 || stateGroupBefore is not { } group)
            return null;
        var roomId = pdu.RoomId.ToString();
        var prev = pdu.PrevEvents.Select(p => p.ToString()).ToHashSet();
        if (!(await rooms.ForwardExtremitiesAsync(roomId, ct)).All(x => prev.Contains(x.EventId)))
            return null;
        var merged = await state.GetGroupAsync(group, ct);
        var now = await current.GetStateAsync(roomId, ct);
        var own = pdu.IsState ? new StateEventKey(pdu.Type, pdu.StateKey!) : (StateEventKey?)null;
        var changed = new List<Pdu>();
        foreach (var (key, eventId) in merged)
            if (key != own && (!now.TryGetValue(key, out var id) || id != eventId) && await state.GetEventAsync(eventId, pdu.RoomVersion, ct) is { } ev)
                changed.Add(ev);
        var removed = now.Keys.Where(k => k != own && !merged.ContainsKey(k)).ToList();
        if (changed.Count == 0 && removed.Count == 0)
            return null;
        return async (st, stream) =>
        {
            foreach (var key in removed)
                await CurrentStateStore.RemoveStateAsync(st.Connection, st.Transaction, roomId, key, ct);
            foreach (var ev in changed)
            {
                await CurrentStateStore.SetStateAsync(st.Connection, st.Transaction, roomId, new StateEventKey(ev.Type, ev.StateKey!), ev.EventId.ToString(), ct);
                await EventPersister.ApplyStateSideEffectsAsync(st.Connection, st.Transaction, ev, stream, ct);
            }
        };
    }
}
