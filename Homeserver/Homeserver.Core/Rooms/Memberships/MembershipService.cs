using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// Membership changes of local users in local rooms, each one <c>m.room.member</c> event that the auth rules
/// judge (who may invite, kick, ban, and when a join is allowed).
/// </summary>
public sealed class MembershipService(RoomWriteService writes, RoomReadService reads, CurrentStateStore current, UserStore users,
    UserLookup lookup, RestrictedJoinAuthoriser restricted)
{
    public async Task JoinAsync(RoomId roomId, UserId userId, CancellationToken ct)
    {
        var profile = await users.GetAsync(userId.ToString(), ct);
        var content = new JsonObject { ["membership"] = "join" };
        if (await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct) is not ("invite" or "join")
            && await restricted.FindAuthoriserAsync(roomId, await reads.VersionOfAsync(roomId, ct), userId, ct) is { } authoriser)
            content["join_authorised_via_users_server"] = authoriser;
        if (profile?.Displayname is { } name)
            content["displayname"] = name;
        if (profile?.AvatarUrl is { } avatar)
            content["avatar_url"] = avatar;
        await writes.SendAsync(roomId, userId, EventTypes.Member, userId.ToString(), content, null, ct);
    }

    public async Task LeaveAsync(RoomId roomId, UserId userId, string? reason, CancellationToken ct)
    {
        if (await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct) is null or "leave")
            throw MatrixException.Forbidden("You are not in this room");
        await SetAsync(roomId, userId, userId, "leave", reason, ct);
    }

    public async Task InviteAsync(RoomId roomId, UserId sender, UserId target, string? reason, bool isDirect, CancellationToken ct)
    {
        var profile = await lookup.GetAsync(target, ct);
        if (profile is not { IsDeactivated: false })
            throw MatrixException.NotFound("Unknown user");
        var content = Content("invite", reason);
        if (profile.Displayname is { } name)
            content["displayname"] = name;
        if (isDirect)
            content["is_direct"] = true;
        await writes.SendAsync(roomId, sender, EventTypes.Member, target.ToString(), content, null, ct);
    }

    public Task KickAsync(RoomId roomId, UserId sender, UserId target, string? reason, CancellationToken ct) =>
        SetAsync(roomId, sender, target, "leave", reason, ct);

    public Task BanAsync(RoomId roomId, UserId sender, UserId target, string? reason, CancellationToken ct) =>
        SetAsync(roomId, sender, target, "ban", reason, ct);

    public async Task UnbanAsync(RoomId roomId, UserId sender, UserId target, string? reason, CancellationToken ct)
    {
        if (await current.MembershipAsync(roomId.ToString(), target.ToString(), ct) != "ban")
            throw MatrixException.Forbidden("The user is not banned");
        await SetAsync(roomId, sender, target, "leave", reason, ct);
    }

    public async Task KnockAsync(RoomId roomId, UserId userId, string? reason, CancellationToken ct) =>
        await SetAsync(roomId, userId, userId, "knock", reason, ct);

    private Task SetAsync(RoomId roomId, UserId sender, UserId target, string membership, string? reason, CancellationToken ct) =>
        writes.SendAsync(roomId, sender, EventTypes.Member, target.ToString(), Content(membership, reason), null, ct);

    private static JsonObject Content(string membership, string? reason)
    {
        var c = new JsonObject { ["membership"] = membership };
        if (!string.IsNullOrEmpty(reason))
            c["reason"] = reason;
        return c;
    }
}
