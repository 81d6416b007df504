using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>
/// <c>POST /rooms/{roomId}/upgrade</c> (spec "Room Upgrades"): a new room of the new version with the old
/// room's important state, the aliases moved over, and a tombstone that closes the old room.
/// </summary>
public sealed class RoomUpgradeService(RoomReadService reads, RoomWriteService writes, MembershipService membership,
    CurrentStateStore current, StateService state, RoomAliasStore aliases, RoomStore rooms)
{
    /// <summary>State carried into the new room, in the spec's list order; power levels go first so the rest may be sent.</summary>
    private static readonly string[] CopiedTypes =
    [
        "m.room.server_acl", "m.room.encryption", "m.room.name", "m.room.avatar", "m.room.topic",
        "m.room.guest_access", EventTypes.HistoryVisibility, EventTypes.JoinRules, "m.room.canonical_alias",
    ];

    public async Task<RoomId> UpgradeAsync(UserId userId, RoomId oldRoomId, string newVersionId, CancellationToken ct)
    {
        if (!RoomVersions.TryGet(newVersionId, out var newVersion))
            throw new MatrixException(400, "M_UNSUPPORTED_ROOM_VERSION", $"Room version '{newVersionId}' is not supported");
        var oldVersion = await reads.VersionOfAsync(oldRoomId, ct);
        if (!await reads.IsJoinedAsync(oldRoomId, userId, ct))
            throw MatrixException.Forbidden("You are not joined to this room");
        var oldState = await current.GetStateAsync(oldRoomId.ToString(), ct);
        Task<Pdu?> Old(string type) => state.GetStateEventAsync(oldState, type, oldVersion, ct);
        var levels = await state.PowerLevelsAsync(oldState, oldVersion, ct);
        if (levels.GetUserLevel(userId) < levels.GetRequiredLevel("m.room.tombstone", isState: true))
            throw MatrixException.Forbidden("You need the power to send m.room.tombstone to upgrade this room");

        var createContent = new JsonObject
        {
            ["room_version"] = newVersion.Id,
            ["predecessor"] = new JsonObject { ["room_id"] = oldRoomId.ToString() },
        };
        if (newVersion.CreatorInCreateContent)
            createContent["creator"] = userId.ToString();
        if ((await Old(EventTypes.Create))?.Content["type"] is { } roomType)
            createContent["type"] = roomType.DeepClone();
        var newRoomId = await writes.CreateAsync(newVersion, userId, createContent, ct);
        await membership.JoinAsync(newRoomId, userId, ct);
        await writes.SendAsync(newRoomId, userId, EventTypes.PowerLevels, "", NewPowerLevels(await Old(EventTypes.PowerLevels), newVersion, userId), null, ct);
        foreach (var type in CopiedTypes)
            if (await Old(type) is { } ev)
                await writes.SendAsync(newRoomId, userId, type, "", ev.Content.DeepClone().AsObject(), null, ct);
        await aliases.MoveAllAsync(oldRoomId.ToString(), newRoomId.ToString(), ct);
        // A room listed in the public directory is listed as its successor instead.
        if (await rooms.GetAsync(oldRoomId.ToString(), ct) is { IsPublic: true })
        {
            await rooms.SetPublicAsync(newRoomId.ToString(), true, ct);
            await rooms.SetPublicAsync(oldRoomId.ToString(), false, ct);
        }

        await writes.SendAsync(oldRoomId, userId, "m.room.tombstone", "",
            new JsonObject { ["body"] = "This room has been replaced", ["replacement_room"] = newRoomId.ToString() }, null, ct);
        // The old room stays readable, but ordinary members can no longer talk or invite there.
        if (await Old(EventTypes.PowerLevels) is { } oldLevels)
        {
            var restricted = oldLevels.Content.DeepClone().AsObject();
            var floor = Math.Min(50, levels.GetUserLevel(userId));
            restricted["events_default"] = Math.Max(floor, levels.EventsDefault);
            restricted["invite"] = Math.Max(floor, levels.Invite);
            await writes.SendAsync(oldRoomId, userId, EventTypes.PowerLevels, "", restricted, null, ct);
        }
        return newRoomId;
    }

    /// <summary>The old levels, with the upgrader able to finish the upgrade: listed at 100 before v12, left out from v12 where creators are implicit.</summary>
    private static JsonObject NewPowerLevels(Pdu? old, RoomVersion version, UserId upgraderId)
    {
        var upgrader = upgraderId.ToString();
        var content = old?.Content.DeepClone().AsObject() ?? new JsonObject();
        var users = content["users"] as JsonObject ?? new JsonObject();
        if (version.PrivilegedCreators)
            users.Remove(upgrader);
        else
            users[upgrader] = Math.Max(100, users[upgrader] is JsonValue v && v.TryGetValue<long>(out var l) ? l : 0);
        content["users"] = users;
        return content;
    }
}
