using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using EventId = Homeserver.Core.Identifiers.EventId;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// Events another server answered with that a received event rests on (its auth events, the state at a gap), kept as
/// outliers once they pass the checks a received PDU passes before the state is considered: read in the room's version,
/// of the room, signed by the servers the rules name (redacted when the content hash is wrong), and allowed by their
/// own auth events, which must be held here or be events of the same answer that passed. An event the rules refuse is
/// recorded as rejected, so what rests on it is rejected in turn; one that cannot be read or verified is left out (its
/// ID proves nothing), and so is what rests on it.
/// </summary>
public sealed class FetchedOutliers(SignatureCheckStep signatures, StateService state, SetAsideEventStore setAside, Database db,
    TimeProvider time, ILogger<FetchedOutliers> log)
{
    /// <summary>The events of the answer that are held here now (stored before, or as outliers just now), by ID.</summary>
    public async Task<IReadOnlyDictionary<EventId, Pdu>> AddAsync(string origin, RoomId roomId, RoomVersion version, IEnumerable<JsonNode?> answer,
        CancellationToken ct)
    {
        var fetched = new Dictionary<EventId, Pdu>();
        foreach (var node in answer)
            if (await ReadAsync(origin, roomId, version, node, ct) is { } ev)
                fetched.TryAdd(ev.EventId, ev);
        var held = new Dictionary<EventId, Pdu>();
        var fresh = new List<Pdu>();
        foreach (var (id, ev) in fetched)
        {
            if (await OfRoomAsync(id, roomId, version, ct) is { } stored)
                held[id] = stored;
            else
                fresh.Add(ev);
        }
        var rejected = new HashSet<EventId>();
        var accepted = new List<Pdu>();
        var create = version.RoomIdIsCreateEventId ? await OfRoomAsync(EventId.Parse("$" + roomId.Opaque), roomId, version, ct) : null;
        foreach (var ev in MissingEventsOrder.ParentsFirst(fresh, e => e.AuthEvents))
        {
            var authEvents = new List<Pdu>();
            foreach (var id in ev.AuthEvents.Distinct())
            {
                if ((held.GetValueOrDefault(id) ?? await OfRoomAsync(id, roomId, version, ct)) is { } authEvent)
                    authEvents.Add(authEvent);
                else if (rejected.Contains(id) || await setAside.ReasonAsync(SetAside.Rejected, id.ToString(), ct) is not null)
                    rejected.Add(id);
            }
            if (ev.AuthEvents.Any(rejected.Contains))
            {
                await RejectAsync(origin, ev, $"Event {ev.EventId} names a rejected event as an auth event", rejected, ct);
                continue;
            }
            if (authEvents.Count < ev.AuthEvents.Distinct().Count())
            {
                log.LogInformation("Fetched event {EventId} in {RoomId} from {Origin} left out: some of its auth events are unknown here", ev.EventId, roomId, origin);
                continue;
            }
            var verdict = EventAuthRules.CheckWithAuthEvents(version, ev, authEvents, _ => false, ev.Type == EventTypes.Create ? null : create);
            if (!verdict.IsAllowed)
            {
                await RejectAsync(origin, ev, verdict.Reason!, rejected, ct);
                continue;
            }
            held[ev.EventId] = ev;
            accepted.Add(ev);
        }
        if (accepted.Count > 0)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await db.WriteAsync((c, tx) => OutlierStore.InsertManyAsync(c, tx, accepted, now, ct), ct);
        }
        return held;
    }

    private async Task<Pdu?> ReadAsync(string origin, RoomId roomId, RoomVersion version, JsonNode? node, CancellationToken ct)
    {
        if (node is not JsonObject json)
            return null;
        try
        {
            var ev = InboundPdu.Read(json, version);
            if (ev.RoomId != roomId)
            {
                log.LogInformation("{Origin} answered with event {EventId} of {Other} for {RoomId}; left out", origin, ev.EventId, ev.RoomId, roomId);
                return null;
            }
            var ctx = new IngestContext { Event = ev, Origin = origin, IsLocal = false };
            await signatures.RunAsync(ctx, ct);
            return ctx.Event;
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException or EventRefusedException)
        {
            log.LogInformation("{Origin} answered with an event for {RoomId} that is left out: {Reason}", origin, roomId, e.Message);
            return null;
        }
    }

    private async Task<Pdu?> OfRoomAsync(EventId id, RoomId roomId, RoomVersion version, CancellationToken ct) =>
        await state.GetEventAsync(id.ToString(), version, ct) is { } ev && ev.RoomId == roomId ? ev : null;

    private async Task RejectAsync(string origin, Pdu ev, string reason, HashSet<EventId> rejected, CancellationToken ct)
    {
        log.LogInformation("Fetched event {EventId} ({EventType}) in {RoomId} from {Origin} rejected: {Reason}", ev.EventId, ev.Type, ev.RoomId, origin, reason);
        rejected.Add(ev.EventId);
        await setAside.InsertAsync(SetAside.Rejected, ev, reason, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
    }
}
