using System.Text.Json.Nodes;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// Turns a stored PDU into the client-server "ClientEvent" shape: the federation-only keys dropped,
/// <c>event_id</c> added, a redacted event's content pruned by its room version's algorithm, and
/// <c>unsigned</c> computed for the viewer (age, the sender's own <c>transaction_id</c>).
/// </summary>
public static class ClientEventFormatter
{
    private static readonly string[] ClientKeys = ["type", "content", "sender", "origin_server_ts", "room_id", "state_key"];

    public static JsonObject Format(EventRow row, RoomVersion version, long nowMs, string? transactionIdForViewer = null)
    {
        var pdu = JsonNode.Parse(row.Json)!.AsObject();
        var source = row.RedactedBy is null ? pdu : EventRedactor.Redact(pdu, version);
        var ev = new JsonObject();
        // The parsed PDU is this call's own, so its values move into the client event instead of being copied:
        // sync formats thousands of events per response.
        foreach (var key in ClientKeys)
            if (source.TryGetPropertyValue(key, out var value) && value is not null)
            {
                source.Remove(key);
                ev[key] = value;
            }
        ev["content"] ??= new JsonObject();
        ev["event_id"] = row.EventId;
        ev["room_id"] = row.RoomId;
        if (version.RedactsInContent is false && pdu["redacts"] is { } topRedacts && row.RedactedBy is null)
            ev["redacts"] = topRedacts.DeepClone();
        else if (row.EventType == EventTypes.Redaction && ev["content"]?["redacts"] is { } redacts)
            ev["redacts"] = redacts.DeepClone();
        var unsigned = new JsonObject { ["age"] = Math.Max(0, nowMs - row.OriginServerTs) };
        if (row.RedactedBy is not null)
            unsigned["redacted_because"] = new JsonObject { ["event_id"] = row.RedactedBy };
        if (transactionIdForViewer is not null)
            unsigned["transaction_id"] = transactionIdForViewer;
        ev["unsigned"] = unsigned;
        return ev;
    }
}
