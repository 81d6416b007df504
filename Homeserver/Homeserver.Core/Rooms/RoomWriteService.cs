using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms;

/// <summary>
/// Creates local events: under the room's lock it picks prev_events, depth and auth_events from the room's
/// extremities and state, signs the event, runs the version's authorisation rules against that state and
/// persists it. An event the rules refuse is never stored (<c>M_FORBIDDEN</c> naming the rule).
/// </summary>
public sealed class RoomWriteService(RoomStore rooms, StateService state, EventPersister persister,
    ClientTxnStore txns, RoomLocks locks, SigningKey key, TimeProvider time)
{
    /// <summary>Sends an event; a repeated <paramref name="txn"/> returns the first event's ID instead of sending again.</summary>
    public async Task<string> SendAsync(string roomId, string sender, string type, string? stateKey, JsonObject content,
        ClientTxn? txn, CancellationToken ct, EventId? redacts = null)
    {
        // A room has one create event, sent by CreateAsync; as Synapse does, a second one is refused outright
        // rather than built (from v12 a create event carries no room ID, so it could not even name this room).
        if (type == EventTypes.Create)
            throw MatrixException.Forbidden("m.room.create cannot be sent into an existing room");
        using var _ = await locks.AcquireAsync(roomId, ct);
        // Looked up under the room's lock, so a concurrent retry of the same transaction that finished while this
        // one waited is found too.
        if (txn is not null && await txns.FindAsync(txn, ct) is { } earlier)
            return earlier;
        var version = await rooms.VersionOfAsync(roomId, ct);
        var (pdu, stateBefore) = await BuildAuthorisedAsync(RoomId.Parse(roomId), version, sender, type, stateKey, content, redacts, ct);
        await persister.PersistAsync(pdu, stateBefore, txn, newRoom: null, ct);
        return pdu.EventId.ToString();
    }

    /// <summary>Sends a room's create event, which creates the room; returns the room ID (derived from the event in v12).</summary>
    // From v12 a room's ID is its create event's hash, so two creates by one user with the same content in the same
    // millisecond would be one room: create timestamps are made strictly increasing to keep them apart.
    private long _lastCreateTs;

    private long NextCreateTs()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            var last = Interlocked.Read(ref _lastCreateTs);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastCreateTs, next, last) == last)
                return next;
        }
    }

    public async Task<string> CreateAsync(RoomVersion version, string creator, JsonObject content, CancellationToken ct)
    {
        RoomId? roomId = version.RoomIdIsCreateEventId ? null : RoomId.Create(Accounts.SecureTokens.Alphanumeric(18), UserId.Parse(creator).ServerName);
        var pdu = new EventBuilder
        {
            RoomVersion = version,
            Type = EventTypes.Create,
            Sender = UserId.Parse(creator),
            RoomId = roomId,
            StateKey = "",
            Content = content,
            Depth = 1,
            OriginServerTs = NextCreateTs(),
        }.Build(key);
        var verdict = EventAuthRules.Check(version, pdu, new AuthStateMap());
        if (!verdict.IsAllowed)
            throw MatrixException.Forbidden(verdict.Reason!);
        var id = pdu.RoomId.ToString();
        using var _ = await locks.AcquireAsync(id, ct);
        await persister.PersistAsync(pdu, stateGroupBefore: null, txn: null, new RoomRecord
        {
            RoomId = id, RoomVersion = version.Id, Creator = creator, CreatedTs = pdu.OriginServerTs,
        }, ct);
        return id;
    }

    private async Task<(Pdu Pdu, long? StateBefore)> BuildAuthorisedAsync(RoomId roomId, RoomVersion version, string sender, string type,
        string? stateKey, JsonObject content, EventId? redacts, CancellationToken ct)
    {
        var prev = await rooms.ForwardExtremitiesAsync(roomId.ToString(), ct);
        // Rooms here are written by one server, so they stay linear; the newest extremity carries the state.
        var latest = prev.MaxBy(r => r.StreamOrdering) ?? throw MatrixException.NotFound("Room has no events");
        var stateBefore = latest.StateGroup;
        var snapshot = stateBefore is { } g ? await state.GetGroupAsync(g, ct) : new Dictionary<StateEventKey, string>();
        var senderId = UserId.Parse(sender);
        var authEvents = new List<Pdu>();
        foreach (var k in AuthEventSelection.Keys(version, type, senderId, stateKey, content))
            if (snapshot.TryGetValue(k, out var id) && await state.GetEventAsync(id, version, ct) is { } authEvent)
                authEvents.Add(authEvent);
        var authState = new AuthStateMap(authEvents);
        // From v12 the create event is implied by the room ID instead of listed, but the rules still read it.
        if (version.RoomIdIsCreateEventId && await state.GetStateEventAsync(snapshot, EventTypes.Create, version, ct) is { } create)
            authState.Set(create);
        var pdu = new EventBuilder
        {
            RoomVersion = version,
            Type = type,
            Sender = senderId,
            RoomId = roomId,
            StateKey = stateKey,
            Content = content,
            PrevEvents = prev.Select(r => EventId.Parse(r.EventId)).ToList(),
            AuthEvents = authEvents.Select(e => e.EventId).ToList(),
            Depth = EventBuilder.NextDepth(prev.Select(r => r.Depth)),
            OriginServerTs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Redacts = redacts,
        }.Build(key);
        var verdict = EventAuthRules.Check(version, pdu, authState);
        if (!verdict.IsAllowed)
            throw MatrixException.Forbidden(verdict.Reason!);
        return (pdu, stateBefore);
    }
}
