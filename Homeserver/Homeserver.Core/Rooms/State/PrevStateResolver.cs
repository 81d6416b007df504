using Homeserver.Core.Identifiers;
using EventId = Homeserver.Core.Identifiers.EventId;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State.Resolution;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// The state before an event, from the state after each of its <c>prev_events</c>. Parents that share a snapshot
/// (a linear room, or a fork of messages) give that snapshot. Parents whose states differ are resolved by the room
/// version's state resolution algorithm (<see cref="StateResolver"/>), and the result is stored as a snapshot of its
/// own at once: snapshots never change, so one left behind by an event refused later costs only its rows.
/// </summary>
public sealed class PrevStateResolver(StateService state, RoomStore rooms, StreamPublisher streams, ILogger<PrevStateResolver> log)
{
    public Task<RoomState> ResolveAsync(RoomId roomId, IReadOnlyList<EventRow> prevEvents, CancellationToken ct) =>
        ResolveAsync(roomId, prevEvents, [], ct);

    /// <summary>
    /// The state before an event from the state after each of its prev events held here and, for prev events not held
    /// here, the state after them as another server told it (<paramref name="statesAfterMissing"/>).
    /// </summary>
    public async Task<RoomState> ResolveAsync(RoomId roomId, IReadOnlyList<EventRow> prevEvents,
        IReadOnlyList<IReadOnlyDictionary<StateEventKey, string>> statesAfterMissing, CancellationToken ct)
    {
        var groups = prevEvents.Where(p => p.StateGroup is not null).OrderByDescending(p => p.StreamOrdering)
            .Select(p => p.StateGroup!.Value).Distinct().ToList();
        if (groups.Count == 0 && statesAfterMissing.Count == 0)
            return RoomState.Empty;
        long? newest = groups.Count > 0 ? groups[0] : null;
        var baseline = newest is { } n ? await state.GetGroupAsync(n, ct) : new Dictionary<StateEventKey, string>();
        if (groups.Count == 1 && statesAfterMissing.Count == 0)
            return new RoomState(baseline, newest);
        var states = new List<IReadOnlyDictionary<StateEventKey, EventId>>();
        foreach (var g in groups)
            states.Add(StateMap.Parse(await state.GetGroupAsync(g, ct)));
        states.AddRange(statesAfterMissing.Select(StateMap.Parse));
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        var resolved = (await StateResolver.ResolveAsync(version, states, new StoredResolutionEvents(state, roomId, version), ct))
            .ToDictionary(e => e.Key, e => e.Value.ToString());
        var conflicted = states.SelectMany(s => s).Where(e => !states.All(s => s.TryGetValue(e.Key, out var id) && id == e.Value))
            .Select(e => e.Key).Distinct().ToList();
        if (conflicted.Count > 0)
            log.LogInformation("State of {RoomId} forks at {Keys}: resolved by state resolution {Algorithm} to {Resolved}",
                roomId, string.Join(", ", conflicted), version.StateResolution,
                string.Join(", ", conflicted.Select(k => resolved.TryGetValue(k, out var id) ? $"{k} = {id}" : $"{k} absent")));
        var changes = resolved.Where(e => !baseline.TryGetValue(e.Key, out var id) || id != e.Value).ToDictionary();
        if (newest is not null && changes.Count == 0 && resolved.Count == baseline.Count)
            return new RoomState(resolved, newest);
        // A snapshot is a delta on its predecessor that can add and replace entries but not remove them, so a
        // resolution that drops a key the newest parent has is written whole.
        var whole = newest is null || baseline.Keys.Any(k => !resolved.ContainsKey(k));
        var group = await streams.WriteAsync(st => StateGroupStore.CreateAsync(st, roomId.ToString(), whole ? null : newest, whole ? resolved : changes, ct), ct);
        return new RoomState(resolved, group);
    }
}
