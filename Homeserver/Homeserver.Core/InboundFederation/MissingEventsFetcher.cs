using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// Asks the server that sent an event for the events between our copy of its room and it
/// (<c>POST /_matrix/federation/v1/get_missing_events/{roomId}</c>), as Synapse asks: from our forward extremities
/// to the event, ten at most, no shallower than the room's shallowest event we hold.
/// </summary>
public sealed class MissingEventsFetcher(FederationClient client, RoomStore rooms, EventStore events, ILogger<MissingEventsFetcher> log)
{
    public const int Limit = 10;

    // Ten events of at most 64 KiB each, with room for the JSON around them.
    private const long MaxAnswerBytes = 2 * 1024 * 1024;

    /// <summary>
    /// The events <paramref name="origin"/> gave, read in the room's version and of the room; events it sent that
    /// cannot be read are left out. Empty when the origin could not be asked or answered badly.
    /// </summary>
    public async Task<IReadOnlyList<Pdu>> FetchAsync(string origin, Pdu ev, CancellationToken ct)
    {
        var roomId = ev.RoomId.ToString();
        var earliest = (await rooms.ForwardExtremitiesAsync(roomId, ct)).Select(r => (JsonNode)r.EventId).ToArray();
        var request = new JsonObject
        {
            ["earliest_events"] = new JsonArray(earliest),
            ["latest_events"] = new JsonArray(ev.EventId.ToString()),
            ["limit"] = Limit,
            ["min_depth"] = await events.MinDepthAsync(roomId, ct),
        };
        JsonObject answer;
        try
        {
            answer = await client.SendForJsonAsync(HttpMethod.Post, origin,
                $"/_matrix/federation/v1/get_missing_events/{Uri.EscapeDataString(roomId)}", request, ct, MaxAnswerBytes);
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Could not get the events missing before {EventId} in {RoomId} from {Origin}: {Reason}", ev.EventId, roomId, origin, e.Message);
            return [];
        }
        if (answer["events"] is not JsonArray list)
        {
            log.LogInformation("{Origin} answered get_missing_events for {RoomId} without an 'events' list", origin, roomId);
            return [];
        }
        return InboundPdu.ReadOfRoom(list, Limit, ev.RoomId, ev.RoomVersion,
            reason => log.LogInformation("{Origin} sent an unreadable missing event for {RoomId}: {Reason}", origin, roomId, reason));
    }
}
