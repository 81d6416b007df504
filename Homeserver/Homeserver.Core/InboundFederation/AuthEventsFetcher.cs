using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// The auth events a received event names that are not held here, asked of the server that sent it
/// (<c>GET /_matrix/federation/v1/event_auth/{roomId}/{eventId}</c>, the event's auth chain, as Synapse asks) and kept
/// as outliers once checked (<see cref="FetchedOutliers"/>), so that the event can be authorised. A chain longer than
/// <see cref="MaxEvents"/> is refused whole: a hostile server must not make us check without end.
/// </summary>
public sealed class AuthEventsFetcher(FederationClient client, EventStore events, SetAsideEventStore setAside, FetchedOutliers outliers,
    ILogger<AuthEventsFetcher> log)
{
    /// <summary>A room's auth chain grows with its members and power changes; Synapse sees thousands in large rooms.</summary>
    public const int MaxEvents = 5000;

    private const long MaxAnswerBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Fetches what is missing; null when every auth event of <paramref name="ev"/> is held (or known to be rejected,
    /// which the ingest pipeline answers), otherwise why they could not all be had.
    /// </summary>
    public async Task<string?> FetchAsync(string origin, Pdu ev, CancellationToken ct)
    {
        var unknown = await UnknownAsync(ev, ct);
        if (unknown.Count == 0)
            return null;
        var roomId = ev.RoomId.ToString();
        var path = $"/_matrix/federation/v1/event_auth/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(ev.EventId.ToString())}";
        JsonArray chain;
        try
        {
            var answer = await client.SendForJsonAsync(HttpMethod.Get, origin, path, null, ct, MaxAnswerBytes);
            chain = answer["auth_chain"] as JsonArray ?? throw new FederationRequestException($"{origin} answered event_auth without an 'auth_chain' list");
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Could not get the auth events of {EventId} in {RoomId} from {Origin}: {Reason}", ev.EventId, roomId, origin, e.Message);
            return $"Event {ev.EventId} names auth events unknown here ({string.Join(", ", unknown)}) that {origin} did not provide: {e.Message}";
        }
        if (chain.Count > MaxEvents)
            return $"Event {ev.EventId} has an auth chain of {chain.Count} events from {origin}; at most {MaxEvents} are checked";
        await outliers.AddAsync(origin, ev.RoomId, ev.RoomVersion, chain, ct);
        var still = await UnknownAsync(ev, ct);
        return still.Count == 0 ? null
            : $"Event {ev.EventId} names auth events unknown here ({string.Join(", ", still)}) that {origin} did not provide through event_auth";
    }

    /// <summary>The auth events neither held (in the timeline or as outliers) nor known to be rejected.</summary>
    private async Task<IReadOnlyList<string>> UnknownAsync(Pdu ev, CancellationToken ct)
    {
        var ids = ev.AuthEvents.Select(e => e.ToString()).Distinct().ToList();
        var held = await events.GetManyAsync(ids, ct);
        var missing = ids.Where(id => !held.ContainsKey(id)).ToList();
        if (missing.Count == 0)
            return missing;
        var verdicts = await setAside.VerdictsAsync(missing, ct);
        return missing.Where(id => verdicts.GetValueOrDefault(id)?.Kind != SetAside.Rejected).ToList();
    }
}
