using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Microsoft.Extensions.Logging;
using EventId = Homeserver.Core.Identifiers.EventId;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// Checks what a resident server answered to <c>send_join</c> before any of it is stored: every event of the state
/// and the auth chain is of the room, signed by the servers the rules name (an event whose content hash is wrong is
/// kept redacted, as the spec says), and allowed by its own auth events, which must all be there; the state has the
/// room's create event; and our join is allowed by that state. An event whose signatures do not verify is left out,
/// as Synapse leaves it out (a resident may pass on one it could not check itself): if another event needs it as an
/// auth event, or it is the create event, the answer fails for lack of it. Anything else that fails fails the whole
/// answer: a server that sends it is not one to join through, and the next candidate is tried.
/// </summary>
public sealed class JoinStateVerifier(SignatureCheckStep signatures, ILogger<JoinStateVerifier> log)
{
    /// <summary>The verified room: its state before our join, by key, and every event received (state and auth chain).</summary>
    public sealed record VerifiedState(IReadOnlyDictionary<StateEventKey, Pdu> State, IReadOnlyDictionary<EventId, Pdu> Events);

    /// <exception cref="RemoteRoomException">Something in the answer does not verify.</exception>
    public async Task<VerifiedState> VerifyAsync(JsonObject response, Pdu join, string server, CancellationToken ct)
    {
        var version = join.RoomVersion;
        var roomId = join.RoomId;
        var all = new Dictionary<EventId, Pdu>();
        var stateIds = new List<EventId>();
        foreach (var (key, isState) in new[] { ("auth_chain", false), ("state", true) })
        {
            if (response[key] is not JsonArray list)
                throw new RemoteRoomException($"The answer has no {key} list");
            foreach (var node in list)
            {
                if (await CheckedAsync(node, version, roomId, server, ct) is not { } ev)
                    continue;
                all.TryAdd(ev.EventId, ev);
                if (isState)
                    stateIds.Add(ev.EventId);
            }
        }
        var createId = version.RoomIdIsCreateEventId ? EventId.Parse("$" + roomId.Opaque) : (EventId?)null;
        var create = all.Values.FirstOrDefault(e => e.Type == EventTypes.Create && e.StateKey == "" && (createId is null || e.EventId == createId));
        foreach (var ev in all.Values)
        {
            var authEvents = new List<Pdu>();
            foreach (var id in ev.AuthEvents)
                authEvents.Add(all.TryGetValue(id, out var authEvent) ? authEvent
                    : throw new RemoteRoomException($"{ev.EventId} names the auth event {id}, which the answer lacks"));
            var verdict = EventAuthRules.CheckWithAuthEvents(version, ev, authEvents, _ => false, create);
            if (!verdict.IsAllowed)
                throw new RemoteRoomException($"{ev.EventId} ({ev.Type}) is not allowed by its auth events: {verdict.Reason}");
        }
        var state = new Dictionary<StateEventKey, Pdu>();
        foreach (var id in stateIds)
        {
            var ev = all[id];
            if (!ev.IsState || !state.TryAdd(new StateEventKey(ev.Type, ev.StateKey!), ev))
                throw new RemoteRoomException($"The state holds {id}, which is not a state event or repeats a key");
        }
        if (create is null || !state.TryGetValue(new StateEventKey(EventTypes.Create, ""), out var stateCreate) || stateCreate.EventId != create.EventId)
            throw new RemoteRoomException("The state lacks the room's create event");
        foreach (var id in join.AuthEvents)
            if (!all.ContainsKey(id))
                throw new RemoteRoomException($"Our join's auth event {id} is not in the answer");
        var authState = new AuthStateMap();
        foreach (var k in AuthEventSelection.Keys(join))
            if (state.TryGetValue(k, out var ev))
                authState.Set(ev);
        if (version.RoomIdIsCreateEventId)
            authState.Set(create);
        var joinVerdict = EventAuthRules.Check(version, join, authState);
        if (!joinVerdict.IsAllowed)
            throw new RemoteRoomException($"Our join is not allowed by the room's state: {joinVerdict.Reason}");
        return new VerifiedState(state, all);
    }

    /// <returns>The event as checked; null when its signatures do not verify.</returns>
    private async Task<Pdu?> CheckedAsync(JsonNode? node, RoomVersion version, RoomId roomId, string server, CancellationToken ct)
    {
        if (node is not JsonObject json)
            throw new RemoteRoomException("An event of the answer is not an object");
        Pdu ev;
        try
        {
            ev = Pdu.FromJson((JsonObject)json.DeepClone(), version);
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException or FormatException or Errors.MatrixException)
        {
            throw new RemoteRoomException($"An event of the answer is malformed: {e.Message}");
        }
        if (ev.RoomId != roomId)
            throw new RemoteRoomException($"{ev.EventId} is of room {ev.RoomId}");
        var ctx = new IngestContext { Event = ev, Origin = server, IsLocal = false };
        try
        {
            await signatures.RunAsync(ctx, ct);
        }
        catch (EventRefusedException e)
        {
            log.LogInformation("Left out of {Server}'s join answer for {RoomId}: {Reason}", server, roomId, e.Message);
            return null;
        }
        return ctx.Event;
    }
}
