using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Reads;

/// <summary>
/// A stored event as federation serves it: the PDU in its room version's format, without <c>unsigned</c> (what it
/// holds is this server's view, such as a client's transaction ID), and redacted when it has been redacted or the
/// asking server may not see it.
/// </summary>
public static class FederationPdu
{
    public static JsonObject Format(EventRow row, RoomVersion version, bool visible)
    {
        var json = JsonNode.Parse(row.JsonUtf8)!.AsObject();
        if (!visible || row.RedactedBy is not null)
            return EventRedactor.Redact(json, version);
        json.Remove(PduKeys.Unsigned);
        return json;
    }
}
