using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// The state before an event, from the state after each of its <c>prev_events</c>. Parents that share a snapshot
/// (a linear room, or a fork of messages) give that snapshot. Parents whose states differ are merged: what they
/// agree on is kept, and where they disagree the newest parent's state wins, as current state does. That is not
/// yet the spec's state resolution, which arrives with federation; the merge is logged so an operator sees it.
/// A merged state is stored as a snapshot of its own (on the newest parent's) at once: snapshots never change, so
/// one left behind by an event refused later costs only its rows.
/// </summary>
public sealed class PrevStateResolver(StateService state, StreamPublisher streams, ILogger<PrevStateResolver> log)
{
    public async Task<RoomState> ResolveAsync(RoomId roomId, IReadOnlyList<EventRow> prevEvents, CancellationToken ct)
    {
        var groups = prevEvents.Where(p => p.StateGroup is not null).OrderByDescending(p => p.StreamOrdering)
            .Select(p => p.StateGroup!.Value).Distinct().ToList();
        if (groups.Count == 0)
            return RoomState.Empty;
        var newest = groups[0];
        var merged = new Dictionary<StateEventKey, string>(await state.GetGroupAsync(newest, ct));
        if (groups.Count == 1)
            return new RoomState(merged, newest);
        var conflicted = new List<StateEventKey>();
        foreach (var g in groups.Skip(1))
            foreach (var (key, eventId) in await state.GetGroupAsync(g, ct))
            {
                if (!merged.TryGetValue(key, out var kept))
                    merged[key] = eventId;
                else if (kept != eventId)
                    conflicted.Add(key);
            }
        if (conflicted.Count > 0)
            log.LogWarning("State of {RoomId} forks at {Keys}: the newest parent's state was kept, pending full state resolution",
                roomId, string.Join(", ", conflicted.Distinct().Select(k => k.ToString())));
        var baseline = await state.GetGroupAsync(newest, ct);
        var changes = merged.Where(e => !baseline.TryGetValue(e.Key, out var id) || id != e.Value).ToDictionary();
        if (changes.Count == 0)
            return new RoomState(merged, newest);
        var group = await streams.WriteAsync(st => StateGroupStore.CreateAsync(st, roomId.ToString(), newest, changes, ct), ct);
        return new RoomState(merged, group);
    }
}
