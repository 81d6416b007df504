using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Memberships;

namespace ClientApi.Rooms;

/// <summary>
/// <c>PUT /rooms/{roomId}/state/m.room.member/{userId}</c> is a membership change, as Synapse takes it: joining,
/// leaving, inviting, banning, kicking and unbanning go through the membership endpoints' paths and rules, with the
/// body's own fields (a display name for this room) kept on a join.
/// </summary>
internal static class MemberStatePut
{
    /// <summary>
    /// The event ID when the change went through a membership path; null for what is sent as the event it is: a
    /// member's new content for their own membership (a room-specific display name, say).
    /// </summary>
    public static async Task<string?> TryAsync(RoomReadService reads, MembershipService memberships, UserId requester, RoomId room,
        string stateKey, JsonObject content, CancellationToken ct)
    {
        var target = UserId.Parse(stateKey);
        var membership = JsonFields.String(content, "membership");
        var reason = JsonFields.String(content, "reason");
        if (target == requester)
        {
            switch (membership)
            {
                case "join" when !await reads.IsJoinedAsync(room, requester, ct):
                    await memberships.JoinAsync(room, requester, ct, extra: content);
                    break;
                case "leave":
                    await memberships.LeaveAsync(room, requester, reason, ct);
                    break;
                default:
                    return null;
            }
        }
        else
        {
            switch (membership)
            {
                case "ban":
                    await memberships.BanAsync(room, requester, target, reason, ct);
                    break;
                case "invite":
                    await memberships.InviteAsync(room, requester, target, reason, content["is_direct"] is JsonValue d && d.TryGetValue(out bool direct) && direct, ct);
                    break;
                case "leave" when await reads.MembershipAsync(room, target, ct) == "ban":
                    await memberships.UnbanAsync(room, requester, target, reason, ct);
                    break;
                case "leave":
                    await memberships.KickAsync(room, requester, target, reason, ct);
                    break;
                default:
                    throw MatrixException.Forbidden("Another user's membership can only be changed to invite, ban or leave");
            }
        }
        var ev = await reads.StateEventAsync(requester, room, Homeserver.Core.Events.EventTypes.Member, stateKey, ct);
        return JsonFields.String(ev, "event_id");
    }
}
