using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// The servers whose signatures an event must carry and that must verify on receipt (server-server API,
/// "Checks performed on receipt of a PDU", step 2). Kept next to the auth rules because they ask for the
/// signatures: "events must be signed by the server denoted by the sender property", in room versions 1–2 also
/// by the domain of the <c>event_id</c>, and rule 4.2.1, the server of <c>join_authorised_via_users_server</c>.
/// </summary>
public static class SigningServers
{
    /// <summary>The sender's server first, then any other server named by the rules, without repeats.</summary>
    public static IReadOnlyList<string> Required(Pdu ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        var servers = new List<string> { ev.Sender.ServerName };

        // Room versions 1–2 (fragment "v3-auth-rules"): the server that minted the event ID signs too.
        if (ev.RoomVersion.EventIdFormat == EventIdFormat.ServerGenerated
            && ev.EventId.ServerName is { } minter && !servers.Contains(minter))
        {
            servers.Add(minter);
        }

        // Rule 4.2 applies to any member event carrying the key, not only to joins.
        if (ev.Type == EventTypes.Member
            && ev.RoomVersion.SupportsRestrictedJoinRule
            && ev.Content[AuthEventSelection.JoinAuthorisedViaUsersServerKey] is JsonNode authoriser
            && PduReader.TryGetString(authoriser, out string? authoriserId)
            && UserId.TryParse(authoriserId, out UserId? user)
            && !servers.Contains(user.Value.ServerName))
        {
            servers.Add(user.Value.ServerName);
        }

        return servers;
    }
}
