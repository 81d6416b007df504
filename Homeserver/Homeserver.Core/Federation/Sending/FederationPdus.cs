using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// Stored events in the form they travel between servers: the PDU as signed, without <c>unsigned</c> (what we
/// computed locally, or what the origin added, is not ours to vouch for), and pruned when it has been redacted since.
/// </summary>
public sealed class FederationPdus(EventStore events, RoomStore rooms)
{
    /// <summary>The events still stored, in the order asked for.</summary>
    public async Task<IReadOnlyList<JsonObject>> ReadAsync(IReadOnlyList<string> eventIds, CancellationToken ct)
    {
        var rows = await events.GetManyAsync(eventIds, ct);
        var pdus = new List<JsonObject>(rows.Count);
        foreach (var id in eventIds)
        {
            if (!rows.TryGetValue(id, out var row))
                continue;
            var json = JsonNode.Parse(row.Json)!.AsObject();
            json.Remove(PduKeys.Unsigned);
            pdus.Add(row.RedactedBy is null ? json : EventRedactor.Redact(json, await rooms.VersionOfAsync(row.RoomId, ct)));
        }
        return pdus;
    }
}
