using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms;

/// <summary>
/// Creates local events: under the room's lock it picks prev_events (all the room's extremities), depth and
/// auth_events from the state they give, signs the event and hands it to <see cref="EventIngest"/>, which
/// authorises and persists it like any other. An event the rules refuse is never stored (<c>M_FORBIDDEN</c>
/// naming the rule). Every event a local user creates comes through here, so the checks the spec puts on event
/// types with server-side meaning (<see cref="ClientEventTypes"/>, <see cref="RedactionPolicy"/>) hold whichever
/// endpoint carried it.
/// </summary>
public sealed class RoomWriteService(RoomStore rooms, StateService state, PrevStateResolver prevState, EventIngest ingest,
    ClientTxnStore txns, RoomLocks locks, RedactionPolicy redactions, Memberships.GuestJoinPolicy guests, SenderRestrictions restrictions,
    Directory.CanonicalAliasCheck canonicalAliases, SigningKey key, TimeProvider time)
{
    /// <summary>
    /// Sends an event; a repeated <paramref name="txn"/> returns the first event's ID instead of sending again.
    /// A redaction names its target in <paramref name="redacts"/> or in <c>content.redacts</c>.
    /// </summary>
    /// <param name="originServerTs">The event's timestamp when an application service imports history (spec "Timestamp
    /// massaging"); now otherwise.</param>
    /// <remarks>A suspended or shadow-banned sender's events are refused or dropped here (<see cref="SenderRestrictions"/>).</remarks>
    public async Task<EventId> SendAsync(RoomId roomId, UserId sender, string type, string? stateKey, JsonObject content,
        ClientTxn? txn, CancellationToken ct, EventId? redacts = null, long? originServerTs = null)
    {
        ClientEventTypes.EnsureSendable(type, stateKey);
        // Checked before the room's lock is taken: another server's alias is asked of that server.
        if (type == Directory.DirectoryStateTypes.CanonicalAlias && stateKey == "")
            await canonicalAliases.EnsureValidAsync(roomId, content, ct);
        if (await restrictions.DropsAsync(sender, type, stateKey, content, ct))
            return SenderRestrictions.UnsentEventId();
        return await SendUncheckedAsync(roomId, sender, type, stateKey, content, txn, redacts, originServerTs, ct);
    }

    /// <summary>A new room's initial state, which its creator's restrictions do not hold back (its invites are sent apart).</summary>
    public Task<EventId> SendInitialStateAsync(RoomId roomId, UserId creator, string type, string? stateKey, JsonObject content, CancellationToken ct)
    {
        ClientEventTypes.EnsureSendable(type, stateKey);
        return SendUncheckedAsync(roomId, creator, type, stateKey, content, null, null, null, ct);
    }

    private async Task<EventId> SendUncheckedAsync(RoomId roomId, UserId sender, string type, string? stateKey, JsonObject content,
        ClientTxn? txn, EventId? redacts, long? originServerTs, CancellationToken ct)
    {
        if (type == EventTypes.Redaction)
            redacts = RedactionPolicy.TargetOf(content, redacts);
        using var _ = await locks.AcquireAsync(roomId, ct);
        // Looked up under the room's lock, so a concurrent retry of the same transaction that finished while this
        // one waited is found too.
        if (txn is not null && await txns.FindAsync(txn, ct) is { } earlier)
            return EventId.Parse(earlier);
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        var ctx = await BuildAsync(roomId, version, sender, type, stateKey, content, redacts, originServerTs, ct);
        if (await SameStateAsync(ctx, version, ct) is { } unchanged)
            return unchanged;
        await ingest.IngestAsync(new IngestContext
        {
            Event = ctx.Event, Origin = ctx.Event.Sender.ServerName, IsLocal = true, Txn = txn,
            AuthEvents = ctx.AuthEvents, StateBefore = ctx.StateBefore, ForwardExtremities = ctx.Extremities,
        }, ct);
        return ctx.Event.EventId;
    }

    /// <summary>
    /// The current state event the new one would repeat, same sender and same content: as Synapse does, setting
    /// state (joining included) to what it already is answers with the event that set it and sends nothing.
    /// </summary>
    private async Task<EventId?> SameStateAsync(Built built, RoomVersion version, CancellationToken ct)
    {
        var e = built.Event;
        if (e.StateKey is not { } stateKey || e.Type == EventTypes.Create
            || !built.StateBefore.Map.TryGetValue(new StateEventKey(e.Type, stateKey), out var currentId)
            || await state.GetEventAsync(currentId, version, ct) is not { } current)
            return null;
        return current.Sender == e.Sender && JsonNode.DeepEquals(current.Content, e.Content) ? current.EventId : null;
    }

    /// <summary>
    /// Sends an event that another server must sign before the room may have it (an invite of its user): built and
    /// authorised here, handed to <paramref name="countersign"/> under the room's lock (so nothing is built on the room
    /// meanwhile), and persisted as it came back. Nothing leaves for the other server unless the rules allow the event.
    /// </summary>
    public async Task<EventId> SendCountersignedAsync(RoomId roomId, UserId sender, string type, string stateKey, JsonObject content,
        Func<Pdu, CancellationToken, Task<Pdu>> countersign, CancellationToken ct)
    {
        if (await restrictions.DropsAsync(sender, type, stateKey, content, ct))
            return SenderRestrictions.UnsentEventId();
        using var _ = await locks.AcquireAsync(roomId, ct);
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        var built = await BuildAsync(roomId, version, sender, type, stateKey, content, null, null, ct);
        var verdict = await StateAuthCheckStep.AuthoriseAsync(state, built.Event, built.StateBefore.Map, ct);
        if (!verdict.IsAllowed)
            throw MatrixException.Forbidden(verdict.Reason!);
        var signed = await countersign(built.Event, ct);
        await ingest.IngestAsync(new IngestContext
        {
            Event = signed, Origin = sender.ServerName, IsLocal = true, AuthEvents = built.AuthEvents, StateBefore = built.StateBefore,
            ForwardExtremities = built.Extremities,
        }, ct);
        return signed.EventId;
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

    /// <param name="roomId">The ID to give the room, when it had to be named before (a room upgrade's tombstone names
    /// it); drawn here when null. Ignored from v12, where the create event's hash is the ID.</param>
    public async Task<RoomId> CreateAsync(RoomVersion version, UserId creator, JsonObject content, CancellationToken ct, RoomId? roomId = null)
    {
        await restrictions.EnsureNotSuspendedAsync(creator, ct);
        roomId = version.RoomIdIsCreateEventId ? null : roomId ?? NewRoomId(creator);
        var pdu = new EventBuilder
        {
            RoomVersion = version,
            Type = EventTypes.Create,
            Sender = creator,
            RoomId = roomId,
            StateKey = "",
            Content = content,
            Depth = 1,
            OriginServerTs = NextCreateTs(),
        }.Build(key);
        var id = pdu.RoomId;
        using var _ = await locks.AcquireAsync(id, ct);
        await ingest.IngestAsync(new IngestContext
        {
            Event = pdu, Origin = pdu.Sender.ServerName, IsLocal = true, AuthEvents = [], StateBefore = RoomState.Empty,
            NewRoom = new RoomRecord { RoomId = id.ToString(), RoomVersion = version.Id, Creator = creator.ToString(), CreatedTs = pdu.OriginServerTs },
        }, ct);
        return id;
    }

    /// <summary>A room ID for a room of a version before v12, whose IDs are drawn rather than hashed.</summary>
    public static RoomId NewRoomId(UserId creator) => RoomId.Create(Accounts.SecureTokens.Alphanumeric(18), creator.ServerName);

    /// <summary>
    /// Sends an event that something else must name before the room has it (a room upgrade's tombstone, which the new
    /// room's create event cites, as Synapse has it): built and authorised under the room's lock, its ID handed to
    /// <paramref name="first"/>, which runs with the lock still held so nothing else is built on the room meanwhile,
    /// and persisted once that is done. Nothing is done if the rules refuse the event.
    /// </summary>
    public async Task<EventId> SendAfterAsync(RoomId roomId, UserId sender, string type, string stateKey, JsonObject content,
        Func<EventId, CancellationToken, Task> first, CancellationToken ct)
    {
        ClientEventTypes.EnsureSendable(type, stateKey);
        if (await restrictions.DropsAsync(sender, type, stateKey, content, ct))
        {
            var unsent = SenderRestrictions.UnsentEventId();
            await first(unsent, ct);
            return unsent;
        }
        using var _ = await locks.AcquireAsync(roomId, ct);
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        var built = await BuildAsync(roomId, version, sender, type, stateKey, content, null, null, ct);
        var verdict = await StateAuthCheckStep.AuthoriseAsync(state, built.Event, built.StateBefore.Map, ct);
        if (!verdict.IsAllowed)
            throw MatrixException.Forbidden(verdict.Reason!);
        await first(built.Event.EventId, ct);
        await ingest.IngestAsync(new IngestContext
        {
            Event = built.Event, Origin = sender.ServerName, IsLocal = true, AuthEvents = built.AuthEvents, StateBefore = built.StateBefore,
            ForwardExtremities = built.Extremities,
        }, ct);
        return built.Event.EventId;
    }

    /// <param name="Extremities">The room's forward extremities it was built on, every one (the event names at most <see cref="PduValidator.MaxPrevEvents"/>).</param>
    internal sealed record Built(Pdu Event, IReadOnlyList<Pdu> AuthEvents, RoomState StateBefore, IReadOnlyList<EventRow> Extremities);

    /// <summary>
    /// An event on the room's current extremities, signed by us whoever the sender: federation's <c>make_*</c>
    /// templates start from it, and the joining server re-signs it.
    /// </summary>
    internal async Task<Built> BuildAsync(RoomId roomId, RoomVersion version, UserId sender, string type,
        string? stateKey, JsonObject content, EventId? redacts, long? originServerTs, CancellationToken ct)
    {
        var extremities = await rooms.ForwardExtremitiesAsync(roomId.ToString(), ct);
        var prev = extremities.OrderByDescending(r => r.StreamOrdering).Take(PduValidator.MaxPrevEvents).ToList();
        if (prev.Count == 0)
            throw MatrixException.NotFound("Room has no events");
        // Building on every extremity joins the branches of a forked room again.
        var stateBefore = await prevState.ResolveAsync(roomId, prev, ct);
        var snapshot = stateBefore.Map;
        var authEvents = new List<Pdu>();
        foreach (var k in AuthEventSelection.Keys(version, type, sender, stateKey, content))
            if (snapshot.TryGetValue(k, out var id) && await state.GetEventAsync(id, version, ct) is { } authEvent)
                authEvents.Add(authEvent);
        var prevIds = prev.Select(r => EventId.Parse(r.EventId)).ToList();
        if (type == EventTypes.Member && stateKey == sender.ToString() && JsonFields.String(content, "membership") == "join")
            await guests.EnsureMayJoinAsync(sender, snapshot, version, ct);
        if (redacts is { } target)
            await redactions.EnsureMayRedactAsync(roomId, sender, target, await state.PowerLevelsAsync(snapshot, version, ct), ct);
        var pdu = new EventBuilder
        {
            RoomVersion = version,
            Type = type,
            Sender = sender,
            RoomId = roomId,
            StateKey = stateKey,
            Content = content,
            PrevEvents = prevIds,
            AuthEvents = authEvents.Select(e => e.EventId).ToList(),
            ReferenceHashes = version.EventReferencesCarryHashes
                ? await ReferenceHashesAsync(roomId, version, prevIds, authEvents, ct)
                : new Dictionary<EventId, byte[]>(),
            Depth = EventBuilder.NextDepth(prev.Select(r => r.Depth)),
            OriginServerTs = originServerTs ?? time.GetUtcNow().ToUnixTimeMilliseconds(),
            Redacts = redacts,
        }.Build(key);
        return new Built(pdu, authEvents, stateBefore, extremities);
    }

    // Room versions 1–2 cite each parent with its reference hash, so their prev events are read back to hash them.
    private async Task<IReadOnlyDictionary<EventId, byte[]>> ReferenceHashesAsync(RoomId roomId, RoomVersion version,
        IReadOnlyList<EventId> prevIds, IReadOnlyList<Pdu> authEvents, CancellationToken ct)
    {
        var referenced = new List<Pdu>(authEvents);
        foreach (var id in prevIds)
            referenced.Add(await state.GetEventAsync(id.ToString(), version, ct)
                ?? throw new InvalidOperationException($"Extremity {id} of {roomId} is not stored"));
        return ReferenceHasher.ByEventId(referenced);
    }
}
