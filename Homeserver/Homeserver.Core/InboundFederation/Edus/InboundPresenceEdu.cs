using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Presence;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation.Edus;

/// <summary><c>m.presence</c>: the presence of the origin's users, kept for those joined to a room here.</summary>
public sealed class InboundPresenceEdu(PresenceService presence, CurrentStateStore current, ILogger<InboundPresenceEdu> log)
{
    public async Task HandleAsync(string origin, JsonObject content, CancellationToken ct)
    {
        if (content["push"] is not JsonArray push)
        {
            log.LogInformation("Ignored an m.presence EDU without 'push' from {Origin}", origin);
            return;
        }
        foreach (var node in push)
        {
            if (node is not JsonObject entry || !PduReader.TryGetString(entry["user_id"], out var user) || !UserId.TryParse(user, out var userId)
                || !PduReader.TryGetString(entry["presence"], out var state))
                continue;
            // Nobody here could see the presence of a user in none of our rooms, and storing it would let any server fill the table.
            if (userId.Value.ServerName != origin || (await current.RoomsOfUserAsync(user, "join", ct)).Count == 0)
            {
                log.LogInformation("Ignored presence of {UserId} from {Origin}: not its user, or in none of our rooms", user, origin);
                continue;
            }
            var statusMsg = PduReader.TryGetString(entry["status_msg"], out var msg) ? msg : null;
            var lastActiveAgo = PduReader.TryGetInteger(entry["last_active_ago"], out var ago) ? ago : 0;
            await presence.ReceiveAsync(userId.Value, state, statusMsg, lastActiveAgo, ct);
        }
    }
}
