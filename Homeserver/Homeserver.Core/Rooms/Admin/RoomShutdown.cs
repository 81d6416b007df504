using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Creation;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// Shuts a room down as Synapse's room deletion does: blocks it when asked, makes every local member leave by their own
/// event (so no power is needed), moves them and the room's local aliases to a new room when asked (or
/// removes the aliases), takes it out of the directory, and purges it from the database when asked. Each step's
/// outcome is reported as it goes, so a deletion that fails says how far it got. Unlike Synapse, the members do not
/// forget the room: a forgotten room leaves sync, so a client that was offline would never learn it had left.
/// </summary>
public sealed class RoomShutdown(RoomBlocks blocks, RoomStore rooms, CurrentStateStore current, MembershipService memberships,
    RoomCreationService creation, RoomWriteService writes, RoomAliasStore aliases, RoomPurgeStore purge,
    ServerIdentity server, ILogger<RoomShutdown> log)
{
    public async Task<RoomShutdownResult> RunAsync(RoomId roomId, RoomDeletionRequest request, Func<RoomShutdownResult, Task> progress, CancellationToken ct)
    {
        if (request.Block)
            await blocks.SetAsync(roomId, request.Requester, true, ct);
        if (await rooms.GetAsync(roomId.ToString(), ct) is null)
        {
            // Blocking ahead of time a room this server has never held is all a deletion can do for it.
            if (request.Block)
                return RoomShutdownResult.Empty;
            throw MatrixException.NotFound($"Unknown room id {roomId}");
        }
        var result = RoomShutdownResult.Empty;
        var newRoom = request.NewRoomUserId is { } owner ? await CreateNoticeRoomAsync(owner, request, ct) : (RoomId?)null;
        if (newRoom is { } created)
        {
            result = result with { NewRoomId = created.ToString() };
            await progress(result);
        }

        var (kicked, failed) = (new List<string>(), new List<string>());
        foreach (var member in await LocalMembersAsync(roomId, ct))
        {
            try
            {
                await memberships.LeaveAsync(roomId, member, null, ct);
                if (newRoom is { } target && member != request.NewRoomUserId)
                {
                    await memberships.InviteAsync(target, request.NewRoomUserId!.Value, member, null, false, ct);
                    await memberships.JoinAsync(target, member, ct);
                }
                kicked.Add(member.ToString());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not make {UserId} leave {RoomId} while deleting it", member, roomId);
                failed.Add(member.ToString());
            }
            result = result with { KickedUsers = [.. kicked], FailedToKickUsers = [.. failed] };
            await progress(result);
        }

        var roomAliases = await aliases.ForRoomAsync(roomId.ToString(), ct);
        if (newRoom is { } moved)
            await aliases.MoveAllAsync(roomId.ToString(), moved.ToString(), ct);
        else
            foreach (var alias in roomAliases)
                await aliases.DeleteAsync(alias, ct);
        await rooms.SetPublicAsync(roomId.ToString(), false, ct);
        result = result with { LocalAliases = roomAliases };
        await progress(result);

        if (request.Purge)
        {
            if (!request.ForcePurge && (await LocalMembersAsync(roomId, ct)).Count > 0)
                throw new MatrixException(400, ErrorCodes.Unknown, "Users are still joined to this room");
            await purge.PurgeAsync(roomId.ToString(), ct);
        }
        return result;
    }

    /// <summary>
    /// The local users joined to or invited into the room, invitees first: refusing an invite takes a joined member of
    /// ours, or it would be sent to another server.
    /// </summary>
    private async Task<IReadOnlyList<UserId>> LocalMembersAsync(RoomId roomId, CancellationToken ct) =>
        (await current.MembersAsync(roomId.ToString(), ct))
            .Where(m => m.Membership is "join" or "invite")
            .OrderBy(m => m.Membership == "join")
            .Select(m => UserId.Parse(m.UserId))
            .Where(u => u.ServerName == server.ServerName)
            .ToList();

    /// <summary>The room the members are moved to: public, where they may read but not speak, with the admin's message.</summary>
    private async Task<RoomId> CreateNoticeRoomAsync(UserId owner, RoomDeletionRequest request, CancellationToken ct)
    {
        var roomId = await creation.CreateAsync(owner, new CreateRoomRequest
        {
            Preset = "public_chat",
            Name = request.RoomName ?? RoomDeletionRequest.DefaultRoomName,
            PowerLevelContentOverride = new JsonObject { ["users_default"] = -10 },
        }, ct);
        await writes.SendAsync(roomId, owner, "m.room.message", null,
            new JsonObject { ["msgtype"] = "m.text", ["body"] = request.Message ?? RoomDeletionRequest.DefaultMessage }, null, ct);
        return roomId;
    }
}
