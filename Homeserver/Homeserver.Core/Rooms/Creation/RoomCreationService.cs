using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.Memberships;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>
/// <c>POST /createRoom</c>: the create event, the creator's join, the initial state, the alias and the invites (by user ID and by third-party identifier).
/// Everything that can refuse the request is checked before the first write (<see cref="RoomCreationDryRun"/>),
/// so a refused request leaves no half-built room.
/// </summary>
public sealed class RoomCreationService(RoomWriteService writes, MembershipService membership, RoomStore rooms, RoomAliasStore aliases,
    IEnumerable<IAliasPolicy> aliasPolicies, ThirdPartyInvites.ThirdPartyInviteService thirdParty, UserLookup users, SigningKey key, TimeProvider time, ServerIdentity server, DefaultRoomVersion defaultVersion)
{
    public async Task<RoomId> CreateAsync(UserId creator, CreateRoomRequest request, CancellationToken ct)
    {
        var versionId = request.RoomVersion ?? defaultVersion.Version.Id;
        if (!RoomVersions.TryGet(versionId, out var version))
            throw new MatrixException(400, "M_UNSUPPORTED_ROOM_VERSION", $"Room version '{versionId}' is not supported");
        if (request.Preset is { } p && !RoomPresets.IsKnown(p))
            throw MatrixException.InvalidParam($"Unknown preset '{p}'");
        string? alias = null;
        if (request.RoomAliasName is { } name)
        {
            alias = $"#{name}:{server.ServerName}";
            if (!RoomAlias.TryParse(alias, out _) || name.Contains(':'))
                throw new MatrixException(400, "M_INVALID_PARAM", $"'{name}' is not a valid alias name");
            foreach (var policy in aliasPolicies)
                policy.EnsureMayCreate(alias, request.CreatedByAppService);
            if (await aliases.GetAsync(alias, ct) is not null)
                throw new MatrixException(400, "M_ROOM_IN_USE", "Room alias already taken");
        }
        // Only our own invitees can be known before the room exists; another server's user is asked by the invite.
        foreach (var invitee in request.Invite.Where(i => i.ServerName == server.ServerName))
            if (await users.GetAsync(invitee, ct) is not { IsDeactivated: false })
                throw MatrixException.InvalidParam($"Cannot invite unknown user {invitee}");

        var createContent = request.CreationContent?.DeepClone().AsObject() ?? new JsonObject();
        createContent["room_version"] = version.Id;
        if (version.CreatorInCreateContent)
            createContent["creator"] = creator.ToString();
        var initialState = InitialRoomState.Build(request, version, creator, alias);
        RoomCreationDryRun.Check(version, creator, createContent, initialState, request.Invite, key, time.GetUtcNow().ToUnixTimeMilliseconds());

        var roomId = await writes.CreateAsync(version, creator, createContent, ct);
        await membership.JoinAsync(roomId, creator, ct);
        foreach (var s in initialState)
            await writes.SendInitialStateAsync(roomId, creator, s.Type, s.StateKey, s.Content, ct);
        if (alias is not null)
            await aliases.CreateAsync(alias, roomId.ToString(), creator.ToString(), ct);
        if (request.Visibility == "public")
            await rooms.SetPublicAsync(roomId.ToString(), true, ct);
        foreach (var invitee in request.Invite)
            await membership.InviteAsync(roomId, creator, invitee, null, request.IsDirect, ct);
        foreach (var invite in request.Invite3pid)
            await thirdParty.InviteAsync(roomId, creator, invite, ct);
        return roomId;
    }
}
