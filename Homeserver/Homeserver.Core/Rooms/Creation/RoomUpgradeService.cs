using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>
/// <c>POST /rooms/{roomId}/upgrade</c> (spec "Room Upgrades"): a new room of the new version with the old
/// room's important state, the aliases moved over, and a tombstone that closes the old room. As in Synapse the
/// tombstone is built first, so the new room's create event can name it as its predecessor's last event (before v12,
/// where the new room's ID is drawn and can be named first), bans are carried over, and <see cref="UpgradeTransfer"/>
/// moves the aliases, the directory listing and the members' tags and direct-chat entries.
/// </summary>
public sealed class RoomUpgradeService(RoomReadService reads, RoomWriteService writes, MembershipService membership,
    CurrentStateStore current, StateService state, UpgradeTransfer transfer, ServerIdentity server, ILogger<RoomUpgradeService> log)
{
    /// <summary>State carried into the new room, in the spec's list order; power levels go first so the rest may be sent.
    /// The canonical alias follows once the aliases it names point at the new room.</summary>
    private static readonly string[] CopiedTypes =
    [
        "m.room.server_acl", "m.room.encryption", "m.room.name", "m.room.avatar", "m.room.topic",
        "m.room.guest_access", EventTypes.HistoryVisibility, EventTypes.JoinRules,
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
        if (levels.GetUserLevel(userId) < levels.GetRequiredLevel(Tombstone, isState: true))
            throw MatrixException.Forbidden("You need the power to send m.room.tombstone to upgrade this room");

        var createContent = new JsonObject
        {
            ["room_version"] = newVersion.Id,
            ["predecessor"] = new JsonObject { ["room_id"] = oldRoomId.ToString() },
        };
        if (newVersion.CreatorInCreateContent)
            createContent["creator"] = userId.ToString();
        var oldCreate = (await Old(EventTypes.Create))?.Content;
        if (oldCreate?["type"] is { } roomType)
            createContent["type"] = roomType.DeepClone();
        // A room closed to other servers stays closed.
        if (oldCreate?["m.federate"] is JsonValue federate && federate.TryGetValue(out bool federates) && !federates)
            createContent["m.federate"] = false;

        (JsonObject Kept, JsonObject Moved)? split = await Old(DirectoryStateTypes.CanonicalAlias) is { } canonical ? SplitCanonicalAlias(canonical.Content) : null;
        RoomId newRoomId;
        if (newVersion.RoomIdIsCreateEventId)
        {
            newRoomId = await writes.CreateAsync(newVersion, userId, createContent, ct);
            await FillAsync(newRoomId, ct);
            await writes.SendAsync(oldRoomId, userId, Tombstone, "", TombstoneContent(newRoomId), null, ct);
        }
        else
        {
            newRoomId = RoomWriteService.NewRoomId(userId);
            await writes.SendAfterAsync(oldRoomId, userId, Tombstone, "", TombstoneContent(newRoomId), async (tombstoneId, token) =>
            {
                createContent["predecessor"]!["event_id"] = tombstoneId.ToString();
                await writes.CreateAsync(newVersion, userId, createContent, token, newRoomId);
                await FillAsync(newRoomId, token);
            }, ct);
        }

        // Sent here, once the old room's lock is free again: the new room was filled under it.
        if (split is { Moved.Count: > 0 })
            await SendCanonicalAliasAsync(oldRoomId, userId, split.Value.Kept, ct);
        if (await Old(EventTypes.PowerLevels) is { } oldLevels)
            await RestrictOldRoomAsync(oldRoomId, userId, oldLevels.Content, levels, ct);
        return newRoomId;

        async Task FillAsync(RoomId newRoom, CancellationToken token)
        {
            await membership.JoinAsync(newRoom, userId, token);
            await writes.SendAsync(newRoom, userId, EventTypes.PowerLevels, "", NewPowerLevels(await Old(EventTypes.PowerLevels), newVersion, userId), null, token);
            foreach (var type in CopiedTypes)
                if (await Old(type) is { } ev)
                    await writes.SendAsync(newRoom, userId, type, "", ev.Content.DeepClone().AsObject(), null, token);
            // Synapse's new room always states its guest access; an old room that had none forbade guests, and so does
            // the new one, in so many words (clients that copy or compare state find the event).
            if (await Old("m.room.guest_access") is null)
                await writes.SendAsync(newRoom, userId, "m.room.guest_access", "", new JsonObject { ["guest_access"] = "forbidden" }, null, token);
            // Whoever was banned from the old room is banned from the new one, as Synapse carries bans over.
            foreach (var banned in (await current.MembersAsync(oldRoomId.ToString(), token)).Where(m => m.Membership == "ban"))
                await membership.BanAsync(newRoom, userId, UserId.Parse(banned.UserId),
                    JsonFields.String((await state.GetEventAsync(banned.EventId, oldVersion, token))?.Content, "reason"), token);
            await transfer.TransferAsync(oldRoomId, newRoom, token);
            if (split is { Moved.Count: > 0 })
                await SendCanonicalAliasAsync(newRoom, userId, split.Value.Moved, token);
        }
    }

    private const string Tombstone = "m.room.tombstone";

    /// <summary>
    /// The old room stays readable, but ordinary members can no longer talk or invite there: both levels go up to
    /// moderator, or above the users' default where that is 50 or more (Synapse's rule). A change the upgrader lacks
    /// the power for leaves the old levels, and the upgrade done.
    /// </summary>
    private async Task RestrictOldRoomAsync(RoomId oldRoomId, UserId userId, JsonObject oldContent, PowerLevels levels, CancellationToken ct)
    {
        var restrictedLevel = Math.Max(levels.UsersDefault + 1, 50);
        var restricted = oldContent.DeepClone().AsObject();
        var updated = false;
        foreach (var (key, current) in new[] { ("invite", levels.Invite), ("events_default", levels.EventsDefault) })
            if (current < restrictedLevel)
            {
                restricted[key] = restrictedLevel;
                updated = true;
            }
        if (!updated)
            return;
        try
        {
            await writes.SendAsync(oldRoomId, userId, EventTypes.PowerLevels, "", restricted, null, ct);
        }
        catch (MatrixException e) when (e.Status == 403)
        {
            log.LogWarning("The power levels of {RoomId} were not restricted after its upgrade: {Reason}", oldRoomId, e.Message);
        }
    }

    private static JsonObject TombstoneContent(RoomId newRoomId) =>
        new() { ["body"] = "This room has been replaced", ["replacement_room"] = newRoomId.ToString() };

    /// <summary>
    /// The canonical alias split in two: its local aliases, which now point at the new room, go into the new room's
    /// event; another server's stay in the old room's.
    /// </summary>
    private (JsonObject Kept, JsonObject Moved) SplitCanonicalAlias(JsonObject old)
    {
        var kept = old.DeepClone().AsObject();
        var moved = new JsonObject();
        if (JsonFields.String(old, "alias") is { } main && IsLocal(main))
        {
            moved["alias"] = main;
            kept.Remove("alias");
        }
        if (old["alt_aliases"] is JsonArray alt)
        {
            var local = alt.Where(n => n is JsonValue v && v.TryGetValue(out string? a) && IsLocal(a)).ToList();
            if (local.Count > 0)
                moved["alt_aliases"] = new JsonArray(local.Select(n => n!.DeepClone()).ToArray());
            var other = alt.Except(local).Select(n => n?.DeepClone()).ToArray();
            if (other.Length > 0)
                kept["alt_aliases"] = new JsonArray(other);
            else
                kept.Remove("alt_aliases");
        }
        return (kept, moved);
    }

    /// <summary>As in Synapse, an alias event that cannot be sent leaves the upgrade done.</summary>
    private async Task SendCanonicalAliasAsync(RoomId roomId, UserId userId, JsonObject content, CancellationToken ct)
    {
        try
        {
            await writes.SendAsync(roomId, userId, DirectoryStateTypes.CanonicalAlias, "", content, null, ct);
        }
        catch (MatrixException e)
        {
            log.LogInformation("The canonical alias of {RoomId} was not updated in the upgrade: {Reason}", roomId, e.Message);
        }
    }

    private bool IsLocal(string alias) => RoomAlias.TryParse(alias, out var parsed) && parsed.Value.ServerName == server.ServerName;

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
