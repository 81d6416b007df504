using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Auth rule 2 of room versions 10 and 11 (rule 3 of version 12): the checks on the event's
/// <c>auth_events</c> themselves, which apply only when the event is checked against them
/// (server-server API, "Checks performed on receipt of a PDU", step 4), not against room state.
/// </summary>
public static class AuthEventsRule
{
    private const string Rule = "auth_events";

    /// <param name="authEvents">The events <paramref name="ev"/> lists in <c>auth_events</c>, as fetched.</param>
    /// <param name="isRejected">Whether an auth event was itself rejected; the caller keeps that record.</param>
    /// <exception cref="ArgumentException"><paramref name="authEvents"/> holds an event <paramref name="ev"/> does not list.</exception>
    public static AuthResult Check(Pdu ev, IReadOnlyCollection<Pdu> authEvents, Func<Pdu, bool> isRejected)
    {
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(authEvents);
        ArgumentNullException.ThrowIfNull(isRejected);

        // Rule 1 decides create events before these checks are reached.
        if (ev.Type == EventTypes.Create)
        {
            return AuthResult.Allowed;
        }

        IReadOnlyList<EventId> listedIds = ev.AuthEvents;
        var byId = new Dictionary<EventId, Pdu>();
        foreach (Pdu authEvent in authEvents)
        {
            byId[authEvent.EventId] = listedIds.Contains(authEvent.EventId)
                ? authEvent
                : throw new ArgumentException($"{authEvent.EventId} is not one of {ev}'s auth_events.", nameof(authEvents));
        }

        // An auth event that cannot be had cannot vouch for the event; fetching it is the caller's job.
        EventId[] missing = listedIds.Where(id => !byId.ContainsKey(id)).ToArray();
        if (missing.Length > 0)
        {
            return AuthResult.Denied($"{Rule}: {missing[0]} is not available");
        }

        // A listed ID is taken once per listing, so naming the same event twice is a duplicate too.
        List<Pdu> listed = listedIds.Select(id => byId[id]).ToList();
        var seen = new HashSet<StateEventKey>();
        foreach (Pdu authEvent in listed)
        {
            // 2.1. An event without a state_key cannot be state, so it fails 2.2 instead.
            if (authEvent.StateKey is { } stateKey && !seen.Add(new StateEventKey(authEvent.Type, stateKey)))
            {
                return AuthResult.Denied($"{Rule}: more than one entry for {new StateEventKey(authEvent.Type, stateKey)}");
            }
        }

        // 2.2: only what auth events selection picks for this event; in v12 that excludes m.room.create.
        IReadOnlyList<StateEventKey> allowed = AuthEventSelection.Keys(ev);
        if (listed.FirstOrDefault(authEvent => authEvent.StateKey is not { } key || !allowed.Contains(new StateEventKey(authEvent.Type, key))) is { } unexpected)
        {
            return AuthResult.Denied($"{Rule}: {unexpected} is not one the auth events selection picks for this event");
        }

        // 2.3.
        if (listed.FirstOrDefault(isRejected) is { } rejected)
        {
            return AuthResult.Denied($"{Rule}: {rejected} was rejected");
        }

        // 2.4 (v10/v11): the create event must be cited; v12 finds it through the room ID instead (rule 2).
        if (!ev.RoomVersion.RoomIdIsCreateEventId && !listed.Any(authEvent => authEvent.Type == EventTypes.Create))
        {
            return AuthResult.Denied($"{Rule}: there is no m.room.create event");
        }

        // 2.5.
        if (listed.FirstOrDefault(authEvent => authEvent.RoomId != ev.RoomId) is { } otherRoom)
        {
            return AuthResult.Denied($"{Rule}: {otherRoom} belongs to room {otherRoom.RoomId}, not {ev.RoomId}");
        }

        return AuthResult.Allowed;
    }
}
