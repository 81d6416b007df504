using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using EventId = Homeserver.Core.Identifiers.EventId;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// The state before a received event whose prev events <c>get_missing_events</c> could not bring, as Synapse computes it
/// (<c>_get_state_ids_after_missing_prev_event</c>, <c>_resolve_state_at_missing_prevs</c>): for each prev event still
/// missing, the state after it as its origin tells it, that is the state before it
/// (<c>GET /_matrix/federation/v1/state_ids/{roomId}?event_id=</c>) with the prev event itself on top when it is a state
/// event; the events named there that are not held here fetched (<c>/event/{eventId}</c> each, or <c>/state</c> when
/// many are) and kept as outliers once checked (<see cref="FetchedOutliers"/>); then that state resolved with the state
/// after each prev event held here by the room version's algorithm (<see cref="PrevStateResolver"/>). The missing
/// events themselves stay missing: the received event joins the timeline with a gap before it.
/// </summary>
public sealed class GapStateFetcher(FederationClient client, EventStore events, SetAsideEventStore setAside, FetchedOutliers outliers, PrevStateResolver resolver,
    ILogger<GapStateFetcher> log)
{
    /// <summary>At most so many IDs in each list of a <c>/state_ids</c> answer; large rooms' state runs to tens of thousands.</summary>
    public const int MaxStateIds = 50_000;

    /// <summary>Beyond so many events not held here, one <c>/state</c> is asked instead of an <c>/event</c> each.</summary>
    public const int MaxSingleFetches = 20;

    private const long MaxIdsAnswerBytes = 16L * 1024 * 1024;
    private const long MaxStateAnswerBytes = 64L * 1024 * 1024;
    private const long MaxEventAnswerBytes = 256 * 1024;

    /// <summary>
    /// The state before <paramref name="ev"/> from the states after <paramref name="prevs"/> (its prev events, rejected ones
    /// stepped over), those of <paramref name="missingPrevs"/> asked of the origin; or why it could not be had.
    /// </summary>
    public async Task<(RoomState? State, string? Error)> StateBeforeAsync(string origin, Pdu ev, IReadOnlyList<string> prevs, IReadOnlyList<string> missingPrevs,
        CancellationToken ct)
    {
        var statesAfter = new List<IReadOnlyDictionary<StateEventKey, string>>();
        foreach (var prev in missingPrevs)
        {
            var (stateAfter, error) = await StateAfterAsync(origin, ev, prev, ct);
            if (stateAfter is null)
                return (null, $"Event {ev.EventId} names the prev event {prev}, unknown here, and the state after it could not be had from {origin}: {error}");
            statesAfter.Add(stateAfter);
        }
        var roomId = ev.RoomId.ToString();
        var held = (await events.GetManyAsync(prevs.Except(missingPrevs).ToList(), ct)).Values
            .Where(r => r.RoomId == roomId && r.StreamOrdering != 0).ToList();
        log.LogInformation("State before {EventId} in {RoomId} resolved across {Missing} prev events missing here, with the state {Origin} gave after them",
            ev.EventId, roomId, missingPrevs.Count, origin);
        return (await resolver.ResolveAsync(ev.RoomId, held, statesAfter, ct), null);
    }

    private async Task<(IReadOnlyDictionary<StateEventKey, string>? State, string? Error)> StateAfterAsync(string origin, Pdu ev, string prev, CancellationToken ct)
    {
        var room = Uri.EscapeDataString(ev.RoomId.ToString());
        var at = Uri.EscapeDataString(prev);
        List<string> stateIds, chainIds;
        try
        {
            var answer = await client.SendForJsonAsync(HttpMethod.Get, origin, $"/_matrix/federation/v1/state_ids/{room}?event_id={at}", null, ct, MaxIdsAnswerBytes);
            stateIds = Ids(answer, "pdu_ids");
            chainIds = Ids(answer, "auth_chain_ids");
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message);
        }
        var wanted = stateIds.Concat(chainIds).Append(prev).Distinct().ToList();
        var held = await HeldAsync(ev.RoomId, wanted, ct);
        var lacking = wanted.Where(id => !held.ContainsKey(id)).ToList();
        if (lacking.Count > 0)
        {
            var fetched = lacking.Count <= MaxSingleFetches
                ? await EventsAsync(origin, lacking, ct)
                : await StateAsync(origin, room, at, prev, held.ContainsKey(prev), ct);
            await outliers.AddAsync(origin, ev.RoomId, ev.RoomVersion, fetched, ct);
            held = await HeldAsync(ev.RoomId, wanted, ct);
        }
        var state = new Dictionary<StateEventKey, string>();
        // A state event the rules reject here is in no state, whatever the origin says (its auth events did not allow it).
        var rejected = await setAside.VerdictsAsync(stateIds.Where(id => !held.ContainsKey(id)).ToList(), ct);
        foreach (var id in stateIds)
        {
            if (rejected.TryGetValue(id, out var verdict) && verdict.Kind == SetAside.Rejected)
                continue;
            if (!held.TryGetValue(id, out var row))
                return (null, $"the state event {id} could not be had");
            if (row.StateKey is null || !state.TryAdd(new StateEventKey(row.EventType, row.StateKey), id))
                return (null, $"the state names {id}, which is not a state event or repeats a key");
        }
        if (held.TryGetValue(prev, out var prevRow))
        {
            if (prevRow.StateKey is { } key)
                state[new StateEventKey(prevRow.EventType, key)] = prev;
        }
        // A prev event the rules reject here changes no state, as Synapse counts it: the state after it is the state before.
        else if ((await setAside.VerdictsAsync([prev], ct)).GetValueOrDefault(prev)?.Kind != SetAside.Rejected)
            return (null, $"the event {prev} itself could not be had");
        if (!state.ContainsKey(new StateEventKey(EventTypes.Create, "")))
            return (null, "the state lacks the room's create event");
        return (state, null);
    }

    /// <summary>A list of event IDs of an answer, bounded.</summary>
    private static List<string> Ids(JsonObject answer, string key)
    {
        if (answer[key] is not JsonArray list)
            throw new FederationRequestException($"the answer has no '{key}' list");
        if (list.Count > MaxStateIds)
            throw new FederationRequestException($"the answer's '{key}' holds {list.Count} IDs; at most {MaxStateIds} are taken");
        var ids = new List<string>(list.Count);
        foreach (var item in list)
            ids.Add(PduReader.TryGetString(item, out var id) && EventId.TryParse(id, out _) ? id
                : throw new FederationRequestException($"the answer's '{key}' holds something that is no event ID"));
        return ids;
    }

    /// <summary>The events of <paramref name="ids"/> held here, in the timeline or as outliers, of the room.</summary>
    private async Task<Dictionary<string, EventRow>> HeldAsync(RoomId roomId, IReadOnlyCollection<string> ids, CancellationToken ct) =>
        (await events.GetManyAsync(ids, ct)).Values.Where(r => r.RoomId == roomId.ToString()).ToDictionary(r => r.EventId);

    private async Task<IReadOnlyList<JsonNode?>> EventsAsync(string origin, IEnumerable<string> ids, CancellationToken ct)
    {
        var found = new List<JsonNode?>();
        foreach (var id in ids)
        {
            try
            {
                var answer = await client.SendForJsonAsync(HttpMethod.Get, origin, $"/_matrix/federation/v1/event/{Uri.EscapeDataString(id)}", null, ct, MaxEventAnswerBytes);
                if (answer["pdus"] is JsonArray { Count: 1 } pdus)
                    found.Add(pdus[0]?.DeepClone());
            }
            catch (HttpRequestException e)
            {
                log.LogInformation("Could not get event {EventId} from {Origin}: {Reason}", id, origin, e.Message);
            }
        }
        return found;
    }

    private async Task<IReadOnlyList<JsonNode?>> StateAsync(string origin, string room, string at, string prev, bool prevHeld, CancellationToken ct)
    {
        var found = new List<JsonNode?>();
        try
        {
            var answer = await client.SendForJsonAsync(HttpMethod.Get, origin, $"/_matrix/federation/v1/state/{room}?event_id={at}", null, ct, MaxStateAnswerBytes);
            foreach (var key in new[] { "pdus", "auth_chain" })
                if (answer[key] is JsonArray list)
                    found.AddRange(list.Take(MaxStateIds).Select(n => n?.DeepClone()));
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Could not get the state at {EventId} from {Origin}: {Reason}", prev, origin, e.Message);
        }
        if (!prevHeld)
            found.AddRange(await EventsAsync(origin, [prev], ct));
        return found;
    }
}
