using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// Synapse's admin join: puts a local user into a room held here. A public room they join as anyone could; into any
/// other the admin, who must be joined, invites them first, so the room's own rules still decide.
/// </summary>
public sealed class ForcedJoin(RoomSummaryReader summaries, MembershipService memberships, CurrentStateStore current, UserStore users,
    ServerIdentity server)
{
    public async Task JoinAsync(UserId admin, UserId target, RoomId roomId, CancellationToken ct)
    {
        if (target.ServerName != server.ServerName)
            throw MatrixException.InvalidParam("This endpoint can only be used with local users");
        if (!await users.ExistsAsync(target.ToString(), ct))
            throw MatrixException.NotFound("User not found");
        var room = await summaries.OneAsync(roomId.ToString(), ct) ?? throw MatrixException.NotFound("Room not found");
        var membership = await current.MembershipAsync(room.RoomId, target.ToString(), ct);
        if (membership == "join")
            return;
        if (room.JoinRules != "public" && membership != "invite")
        {
            if (await current.MembershipAsync(room.RoomId, admin.ToString(), ct) != "join")
                throw MatrixException.Forbidden($"{admin} not in room {roomId}.");
            await memberships.InviteAsync(roomId, admin, target, null, false, ct);
        }
        await memberships.JoinAsync(roomId, target, ct);
    }
}
