using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// Whether a room is published in the room directory (<c>/directory/list/room/{roomId}</c>).
/// Changing it is allowed to joined members whose power level would let them send
/// <c>m.room.canonical_alias</c> — publishing advertises the room much as its alias does, and this is
/// Synapse's rule too — and to server admins, who need not be in the room.
/// </summary>
public sealed class RoomPublicationService(RoomStore rooms, CurrentStateStore current, StateService state, UserStore users)
{
    public async Task<bool> IsPublishedAsync(RoomId roomId, CancellationToken ct) =>
        (await rooms.GetAsync(roomId.ToString(), ct) ?? throw MatrixException.NotFound("Room not found")).IsPublic;

    public async Task SetPublishedAsync(RoomId roomId, UserId userId, bool published, CancellationToken ct)
    {
        var room = await rooms.GetAsync(roomId.ToString(), ct) ?? throw MatrixException.NotFound("Room not found");
        if (!await MayPublishAsync(room, userId, ct))
            throw MatrixException.Forbidden("You need the power level to set the room's canonical alias to change its directory visibility");
        if (room.IsPublic != published)
            await rooms.SetPublicAsync(roomId.ToString(), published, ct);
    }

    private async Task<bool> MayPublishAsync(RoomRecord room, UserId userId, CancellationToken ct)
    {
        if (await users.GetAsync(userId.ToString(), ct) is { IsAdmin: true })
            return true;
        if (await current.MembershipAsync(room.RoomId, userId.ToString(), ct) != "join")
            return false;
        if (!RoomVersions.TryGet(room.RoomVersion, out var version))
            return false;
        var levels = await state.PowerLevelsAsync(await current.GetStateAsync(room.RoomId, ct), version, ct);
        return levels.GetUserLevel(userId) >= levels.GetRequiredLevel(DirectoryStateTypes.CanonicalAlias, isState: true);
    }
}
