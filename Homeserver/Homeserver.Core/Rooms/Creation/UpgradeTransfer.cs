using Homeserver.Core.AccountData;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>
/// What this server carries from a room to its replacement once it knows of the upgrade, whether it made the upgrade
/// or a user of ours joined the new room elsewhere (as Synapse does on both): the local aliases of the old room point
/// at the new one, a listing in the public directory moves to it, and every local member of the old room gets their
/// tags and direct-chat entry for it.
/// </summary>
public sealed class UpgradeTransfer(CurrentStateStore current, StateService state, RoomStore rooms, RoomAliasStore aliases,
    UpgradedRoomAccountData accountData, ServerIdentity server)
{
    public async Task TransferAsync(RoomId oldRoomId, RoomId newRoomId, CancellationToken ct)
    {
        await aliases.MoveAllAsync(oldRoomId.ToString(), newRoomId.ToString(), ct);
        if (await rooms.GetAsync(oldRoomId.ToString(), ct) is { IsPublic: true })
        {
            await rooms.SetPublicAsync(newRoomId.ToString(), true, ct);
            await rooms.SetPublicAsync(oldRoomId.ToString(), false, ct);
        }
        foreach (var member in await current.MembersAsync(oldRoomId.ToString(), ct))
            if (member.Membership == "join" && UserId.TryParse(member.UserId, out var user) && user.Value.ServerName == server.ServerName)
                await accountData.CopyAsync(user.Value, oldRoomId, newRoomId, ct);
    }

    /// <summary>After a user of ours joined a room held elsewhere: the transfer from its predecessor, when we know that room.</summary>
    public async Task AfterRemoteJoinAsync(RoomId roomId, CancellationToken ct)
    {
        if (await rooms.GetAsync(roomId.ToString(), ct) is not { } room || !RoomVersions.TryGet(room.RoomVersion, out var version))
            return;
        var create = await state.GetStateEventAsync(await current.GetStateAsync(roomId.ToString(), ct), EventTypes.Create, version, ct);
        if (create?.Content["predecessor"]?["room_id"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out string? old)
            && RoomId.TryParse(old, out var oldRoomId) && await rooms.GetAsync(old, ct) is not null)
            await TransferAsync(oldRoomId.Value, roomId, ct);
    }
}
