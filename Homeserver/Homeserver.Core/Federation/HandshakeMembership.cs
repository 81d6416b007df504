using Homeserver.Core.Events;
using Homeserver.Core.Json;

namespace Homeserver.Core.Federation;

/// <summary>
/// A user's own join, leave or knock: the kind of event a server makes for another server's user through the
/// membership handshakes (<c>send_join</c>, <c>send_leave</c>, <c>send_knock</c>) and must pass on to the room's other
/// servers, which can learn it from no one else. These are the only events of other servers' users that a server
/// relays (Synapse's "send on behalf of").
/// </summary>
public static class HandshakeMembership
{
    public static bool Is(Pdu pdu) =>
        pdu.Type == EventTypes.Member && pdu.StateKey == pdu.Sender.ToString()
        && JsonFields.String(pdu.Content, "membership") is "join" or "leave" or "knock";
}
