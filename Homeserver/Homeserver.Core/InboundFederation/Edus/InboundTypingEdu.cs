using System.Text.Json.Nodes;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation.Edus;

/// <summary><c>m.typing</c>: a user of the origin, joined to the room, started or stopped typing there.</summary>
public sealed class InboundTypingEdu(TypingService typing, CurrentStateStore current, ServerAcls acls, ILogger<InboundTypingEdu> log)
{
    /// <summary>
    /// How long a notice from another server lasts, as Synapse's federation timeout: the sending server tells us of the
    /// start and the stop, and this ends a notice whose stop never came.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public async Task HandleAsync(string origin, JsonObject content, CancellationToken ct)
    {
        if (!PduReader.TryGetString(content["room_id"], out var room) || !RoomId.TryParse(room, out var roomId)
            || !PduReader.TryGetString(content["user_id"], out var user) || !UserId.TryParse(user, out var userId)
            || content["typing"]?.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
        {
            log.LogInformation("Ignored a malformed m.typing EDU from {Origin}", origin);
            return;
        }
        if (userId.Value.ServerName != origin || await current.MembershipAsync(room, user, ct) != "join"
            || !await acls.IsAllowedAsync(roomId.Value, origin, ct))
        {
            log.LogInformation("Ignored typing of {UserId} in {RoomId} from {Origin}: not its user joined there", user, room, origin);
            return;
        }
        await typing.SetAsync(roomId.Value, userId.Value, content["typing"]!.GetValue<bool>(), Timeout, ct);
    }
}
