using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// The checks every membership handshake served to another server starts with: the room is one we are in, its server
/// ACL lets the server asking in, and the user the request is about belongs to that server.
/// </summary>
public sealed class ResidentRoom(RoomStore rooms, CurrentStateStore current, ServerAcls acls, ServerIdentity server)
{
    /// <summary>The room's version, when one of our users is joined to it and its server ACL allows <paramref name="origin"/>.</summary>
    /// <exception cref="MatrixException">404 <c>M_NOT_FOUND</c> for a room we are not in; 403 <c>M_FORBIDDEN</c> for a server the ACL denies.</exception>
    public async Task<RoomVersion> VersionAsync(RoomId roomId, string origin, CancellationToken ct)
    {
        if (await rooms.GetAsync(roomId.ToString(), ct) is null || !await IsJoinedAsync(roomId, ct))
            throw MatrixException.NotFound("This server is not in the room");
        await acls.EnsureAllowedAsync(roomId, origin, ct);
        return await rooms.VersionOfAsync(roomId.ToString(), ct);
    }

    /// <summary>Whether any of our users is joined to the room.</summary>
    public async Task<bool> IsJoinedAsync(RoomId roomId, CancellationToken ct) =>
        (await current.MembersAsync(roomId.ToString(), ct)).Any(m => m.Membership == "join" && IsOurs(m.UserId));

    /// <exception cref="MatrixException">403 <c>M_FORBIDDEN</c>: a server may only act for its own users.</exception>
    public static void EnsureOfOrigin(UserId userId, string origin)
    {
        if (userId.ServerName != origin)
            throw MatrixException.Forbidden($"{userId} is not a user of {origin}");
    }

    private bool IsOurs(string userId) => UserId.TryParse(userId, out var u) && u.Value.ServerName == server.ServerName;
}
