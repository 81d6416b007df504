using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Federation;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// One PDU of a transaction: read in its room's version, refused when its origin vouches for it in no way, answered
/// without being checked again when it is already known, preceded by the events missing before it when its origin
/// can give them (refused when it cannot give them all) and by the auth events it names that are unknown here
/// (<see cref="AuthEventsFetcher"/>), then put through <see cref="EventIngest"/>
/// as an event from that origin. Each answer is the error to report for the PDU, or null: as Synapse answers, an event
/// the authorisation rules reject was processed, so it gets no error (errors are for events that could not be).
/// </summary>
public sealed class InboundPduHandler(RoomStore rooms, EventStore events, SetAsideEventStore setAside, EventIngest ingest, RoomLocks locks,
    PrevEventsBeforeRejected beforeRejected, IVerifyKeys keys, MissingEventsFetcher missing, AuthEventsFetcher authEvents, GapStateFetcher gapState, ServerAcls acls, ILogger<InboundPduHandler> log)
{
    /// <summary>A PDU as read from a transaction: its ID and event, or its ID and why it cannot be processed.</summary>
    public sealed record Parsed(string Id, Pdu? Event, string? Error);

    /// <summary>
    /// What a PDU builds on: its prev events with rejected ones stepped over (<see cref="PrevEventsBeforeRejected"/>), the
    /// timeline rows of those held here, and those not in the timeline. Read once per PDU and handed on, as each is a query.
    /// </summary>
    private sealed record PrevsHeld(IReadOnlyList<string> Prevs, IReadOnlyList<EventRow> Rows, IReadOnlyList<string> Lacking);

    /// <summary>Reads a PDU in the version of our copy of its room; null for one that names no ID to answer under.</summary>
    public async Task<Parsed?> ParseAsync(JsonNode? node, CancellationToken ct)
    {
        if (node is not JsonObject json)
            return null;
        if (!PduReader.TryGetString(json[PduKeys.RoomId], out var roomText) || !RoomId.TryParse(roomText, out RoomId? roomId))
            return InboundPdu.FallbackId(json, null) is { } id ? new Parsed(id, null, "The PDU has no valid room_id") : null;
        var room = await rooms.GetAsync(roomId.Value.ToString(), ct);
        if (room is null || !RoomVersions.TryGet(room.RoomVersion, out var version))
            return InboundPdu.FallbackId(json, null) is { } id ? new Parsed(id, null, $"Room {roomId} is not known to this server") : null;
        try
        {
            var pdu = InboundPdu.Read(json, version);
            return new Parsed(pdu.EventId.ToString(), pdu, null);
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException)
        {
            return InboundPdu.FallbackId(json, version) is { } id ? new Parsed(id, null, $"Invalid event: {e.Message}") : null;
        }
    }

    /// <summary>What became of those of <paramref name="eventIds"/> handled before, for <see cref="HandleAsync"/>: one lookup per transaction.</summary>
    public Task<IReadOnlyDictionary<string, SetAsideEventStore.Verdict>> VerdictsAsync(IReadOnlyCollection<string> eventIds, CancellationToken ct) =>
        setAside.VerdictsAsync(eventIds, ct);

    /// <summary>
    /// Processes one PDU that <paramref name="origin"/> pushed; the error to answer with, or null. <paramref name="earlier"/>
    /// is what became of it before, when it was handled before (<see cref="VerdictsAsync"/>).
    /// </summary>
    public async Task<string?> HandleAsync(string origin, Pdu pdu, SetAsideEventStore.Verdict? earlier, CancellationToken ct)
    {
        return await AnsweredAsync(origin, pdu, async () =>
        {
            // A server the room's ACL shuts out speaks in it no more, whoever signed what it relays.
            await acls.EnsureAllowedAsync(pdu.RoomId, origin, ct);
            // Anyone could relay a well-signed event; the origin must at least have signed what it did not write,
            // unless it passes on a join, leave or knock made through its handshakes, as every server must.
            if (pdu.Sender.ServerName != origin && !HandshakeMembership.Is(pdu) && !await SignedByAsync(pdu, origin, ct))
                return $"Event {pdu.EventId} was sent by {pdu.Sender.ServerName}, and {origin} has not signed it";
            if (earlier is not null)
                return null;
            var (gap, held) = await GapAsync(origin, pdu, ct);
            return gap ?? await IngestAsync(origin, pdu, null, held, ct);
        });
    }

    /// <summary>
    /// Adds an event of the room's history that <paramref name="origin"/> answered a backfill with, at the stream position
    /// <paramref name="ordering"/>, through the same checks (its auth events and the state at a gap asked of the origin);
    /// the error, or null. Anyone's event may come back in a backfill: the signatures the rules name vouch for it.
    /// </summary>
    public Task<string?> BackfillAsync(string origin, Pdu pdu, long ordering, CancellationToken ct) =>
        AnsweredAsync(origin, pdu, () => IngestAsync(origin, pdu, ordering, null, ct));

    private async Task<string?> AnsweredAsync(string origin, Pdu pdu, Func<Task<string?>> handle)
    {
        try
        {
            return await handle();
        }
        catch (MatrixException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One event's failure must not fail its transaction, or the sender would resend every other PDU with it.
            log.LogError(e, "Failed to process event {EventId} in {RoomId} from {Origin}", pdu.EventId, pdu.RoomId, origin);
            return $"Event {pdu.EventId} could not be processed";
        }
    }

    /// <summary>
    /// Fills in the prev events we lack with what the origin gives through <c>get_missing_events</c>, each event
    /// ingested parents first (those of them whose own prev events are still missing on the state the origin gives at
    /// that gap, <see cref="IngestAsync"/>). The error when the PDU's prev events are still not all in the timeline:
    /// as Synapse refuses it, since a pushed event could become the room's only forward extremity, and its origin,
    /// which built on those events, had every reason to give them. Otherwise what the PDU builds on, all of it held.
    /// </summary>
    private async Task<(string? Error, PrevsHeld? Held)> GapAsync(string origin, Pdu pdu, CancellationToken ct)
    {
        var held = await PrevsHeldAsync(pdu, ct);
        if (held.Lacking.Count == 0)
            return (null, held);
        if (await SetAsidePrevAsync(pdu, held.Lacking, ct) is { } setAsidePrev)
            return (setAsidePrev, null);
        var fetched = MissingEventsOrder.OldestFirst(await missing.FetchAsync(origin, pdu, ct));
        var handled = await setAside.VerdictsAsync(fetched.Select(e => e.EventId.ToString()).ToList(), ct);
        var failures = new List<string>();
        foreach (var earlier in fetched)
        {
            if (earlier.EventId == pdu.EventId || handled.ContainsKey(earlier.EventId.ToString()))
                continue;
            if (await IngestAsync(origin, earlier, null, null, ct) is { } error)
            {
                log.LogInformation("Missing event {EventId} before {Next} in {RoomId} from {Origin} not added: {Reason}",
                    earlier.EventId, pdu.EventId, pdu.RoomId, origin, error);
                failures.Add($"{earlier.EventId}: {error}");
            }
        }
        var still = await PrevsHeldAsync(pdu, ct);
        if (still.Lacking.Count == 0)
            return (null, still);
        var why = failures.Count == 0 ? "" : $"; of the events it gave, {string.Join("; ", failures)}";
        return ($"Event {pdu.EventId} names prev events ({string.Join(", ", still.Lacking)}) that {origin} did not provide through get_missing_events{why}", null);
    }

    /// <summary>
    /// The PDU's prev events with rejected ones stepped over, split into those in the room's timeline here and those
    /// not: unknown, or held only as outliers, which have no state of their own.
    /// </summary>
    private async Task<PrevsHeld> PrevsHeldAsync(Pdu pdu, CancellationToken ct)
    {
        var prevs = await beforeRejected.OfAsync(pdu, ct);
        var ids = prevs.Distinct().ToList();
        var stored = await events.GetManyAsync(ids, ct);
        var roomId = pdu.RoomId.ToString();
        var rows = new List<EventRow>();
        var lacking = new List<string>();
        foreach (var id in ids)
            if (stored.TryGetValue(id, out var row) && row.RoomId == roomId && row.StreamOrdering != 0)
                rows.Add(row);
            else
                lacking.Add(id);
        return new PrevsHeld(prevs, rows, lacking);
    }

    /// <summary>
    /// The error when a lacking prev event was soft-failed, or rejected beyond what <see cref="PrevEventsBeforeRejected"/>
    /// steps over: neither kind is in the DAG we store, and fetching them again would not change that.
    /// </summary>
    private async Task<string?> SetAsidePrevAsync(Pdu pdu, IReadOnlyList<string> lacking, CancellationToken ct)
    {
        foreach (var (prev, verdict) in await setAside.VerdictsAsync(lacking, ct))
            if (verdict.Kind is { } kind)
            {
                var what = kind == SetAside.Rejected ? "rejected" : "soft-failed";
                return $"Event {pdu.EventId} names the {what} event {prev} as a prev event; building on {what} events is not supported yet";
            }
        return null;
    }

    /// <summary>
    /// With the state before it asked of the origin when prev events are still missing (an event of a
    /// <c>get_missing_events</c> answer or a backfill; <see cref="GapStateFetcher"/>), and its auth events fetched when
    /// some are still unknown here; then under the room's lock, as local sends are, so that
    /// both build on extremities no one is replacing. <paramref name="held"/> is what it builds on, when read already.
    /// </summary>
    private async Task<string?> IngestAsync(string origin, Pdu pdu, long? backfillOrdering, PrevsHeld? held, CancellationToken ct)
    {
        RoomState? stateBefore = null;
        held ??= await PrevsHeldAsync(pdu, ct);
        if (held.Lacking.Count > 0)
        {
            if (await SetAsidePrevAsync(pdu, held.Lacking, ct) is { } setAsidePrev)
                return setAsidePrev;
            (stateBefore, var error) = await gapState.StateBeforeAsync(origin, pdu, held.Prevs, held.Lacking, ct);
            if (error is not null)
                return error;
        }
        // After the state at a gap, as Synapse orders it: the events that state brings (the missing prev event among
        // them) are often the auth events this one names.
        if (await authEvents.FetchAsync(origin, pdu, ct) is { } unknownAuth)
            return unknownAuth;
        using var _ = await locks.AcquireAsync(pdu.RoomId, ct);
        // Checked again under the lock: another transaction may have brought the same event meanwhile.
        if ((await setAside.VerdictsAsync([pdu.EventId.ToString()], ct)).Count > 0)
            return null;
        try
        {
            await ingest.IngestAsync(new IngestContext
            {
                Event = pdu, Origin = origin, IsLocal = false, StateBefore = stateBefore, StatePrevEvents = held.Prevs,
                StatePrevRows = held.Lacking.Count == 0 ? held.Rows : null, BackfillOrdering = backfillOrdering,
            }, ct);
            return null;
        }
        catch (EventRefusedException e)
        {
            return e.Rejected ? null : e.Message;
        }
    }

    private async Task<bool> SignedByAsync(Pdu pdu, string server, CancellationToken ct)
    {
        if (pdu.Signatures[server] is not JsonObject byKey)
            return false;
        foreach (var (keyId, _) in byKey)
            if (keyId.StartsWith(SigningKey.Algorithm + ":", StringComparison.Ordinal)
                && await keys.FindAsync(server, keyId, pdu.RoomVersion.EnforcesKeyValidity ? pdu.OriginServerTs : null, ct) is { } publicKey
                && EventVerifier.VerifySignature(pdu.Json, pdu.RoomVersion, server, keyId, publicKey))
                return true;
        return false;
    }
}
