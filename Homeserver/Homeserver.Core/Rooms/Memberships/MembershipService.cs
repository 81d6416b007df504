using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// Membership changes of local users in local rooms, each one <c>m.room.member</c> event that the auth rules
/// judge (who may invite, kick, ban, and when a join is allowed).
/// </summary>
public sealed class MembershipService(RoomWriteService writes, RoomReadService reads, CurrentStateStore current, UserStore users,
    UserLookup lookup, RestrictedJoinAuthoriser restricted, RoomStore rooms, StateService state, IRemoteMembership remote, IRemoteInvite remoteInvite, GuestJoinPolicy guests,
    SenderRestrictions restrictions, ServerIdentity server, Admin.RoomBlocks blocks, Creation.UpgradeTransfer upgrades)
{
    /// <param name="via">Servers to join through when the room is not held here (the client's <c>via</c>/<c>server_name</c>, an alias's servers).</param>
    /// <param name="extra">The client's own fields for the join event (the request body); the profile fills in
    /// the display name and avatar it leaves out, as Synapse does.</param>
    public async Task JoinAsync(RoomId roomId, UserId userId, CancellationToken ct, IReadOnlyList<string>? via = null, JsonObject? extra = null)
    {
        await blocks.EnsureNotBlockedAsync(roomId, ct);
        if (!await IsResidentAsync(roomId, ct))
        {
            // A join held elsewhere is no local event, so the sender's restrictions are checked here.
            await restrictions.EnsureNotSuspendedAsync(userId, ct);
            await guests.EnsureMayJoinRemotelyAsync(userId, ct);
            await remote.JoinAsync(roomId, userId, WithExtra(await ProfileContentAsync(userId, ct), extra), await CandidatesAsync(roomId, userId, via ?? [], ct), ct);
            await upgrades.AfterRemoteJoinAsync(roomId, ct);
            return;
        }
        var profile = await users.GetAsync(userId.ToString(), ct);
        var content = WithExtra(new JsonObject(), extra);
        content["membership"] = "join";
        if (await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct) is not ("invite" or "join")
            && await restricted.FindAuthoriserAsync(roomId, await reads.VersionOfAsync(roomId, ct), userId, ct) is { } authoriser)
            content["join_authorised_via_users_server"] = authoriser;
        if (profile?.Displayname is { } name)
            content["displayname"] ??= name;
        if (profile?.AvatarUrl is { } avatar)
            content["avatar_url"] ??= avatar;
        await writes.SendAsync(roomId, userId, EventTypes.Member, userId.ToString(), content, null, ct);
    }

    // Fields the server sets, or that a third-party invite's join carries to be checked, never the client's to choose.
    private static readonly string[] ReservedJoinFields = ["membership", "join_authorised_via_users_server", "third_party_invite", "third_party_signed"];

    private static JsonObject WithExtra(JsonObject content, JsonObject? extra)
    {
        foreach (var (key, value) in extra ?? [])
            if (!ReservedJoinFields.Contains(key) && !(key is "displayname" or "avatar_url" && value is null))
                content[key] = value?.DeepClone();
        return content;
    }

    /// <summary>
    /// Whether we hold the room's current state and can build on it: one of our users is joined, or it is a room
    /// created here that nobody is joined to (its creator's own join, right after the create event).
    /// </summary>
    private async Task<bool> IsResidentAsync(RoomId roomId, CancellationToken ct)
    {
        if (await rooms.GetAsync(roomId.ToString(), ct) is not { } room)
            return false;
        var joined = (await current.MembersAsync(roomId.ToString(), ct)).Where(m => m.Membership == "join").ToList();
        return joined.Any(m => IsOurs(m.UserId)) || (joined.Count == 0 && IsOurs(room.Creator));
    }

    private bool IsOurs(string userId) => UserId.TryParse(userId, out var u) && u.Value.ServerName == server.ServerName;

    private async Task<JsonObject> ProfileContentAsync(UserId userId, CancellationToken ct)
    {
        var profile = await users.GetAsync(userId.ToString(), ct);
        var content = new JsonObject();
        if (profile?.Displayname is { } name)
            content["displayname"] = name;
        if (profile?.AvatarUrl is { } avatar)
            content["avatar_url"] = avatar;
        return content;
    }

    /// <summary>The servers asked for first, then the one that invited the user, then the room ID's own server (before room version 12).</summary>
    private async Task<IReadOnlyList<string>> CandidatesAsync(RoomId roomId, UserId userId, IReadOnlyList<string> via, CancellationToken ct)
    {
        var candidates = new List<string>(via);
        if (await MembershipEventAsync(roomId, userId, ct) is { } invite && JsonFields.String(invite.Content, "membership") == "invite")
            candidates.Add(invite.Sender.ServerName);
        if (roomId.ServerName is { } origin)
            candidates.Add(origin);
        return candidates;
    }

    /// <summary>The event of the user's current membership of the room, when we hold it.</summary>
    private async Task<Pdu?> MembershipEventAsync(RoomId roomId, UserId userId, CancellationToken ct)
    {
        var mine = (await current.MembersAsync(roomId.ToString(), ct)).FirstOrDefault(m => m.UserId == userId.ToString());
        return mine is not null && await rooms.GetAsync(roomId.ToString(), ct) is { } room && RoomVersions.TryGet(room.RoomVersion, out var version)
            ? await state.GetEventAsync(mine.EventId, version, ct)
            : null;
    }

    public async Task LeaveAsync(RoomId roomId, UserId userId, string? reason, CancellationToken ct)
    {
        var membership = await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct);
        if (membership is null or "leave")
            throw MatrixException.Forbidden("You are not in this room");
        // Refusing an invite to (or withdrawing a knock on) a room we are not in goes through a server that is.
        if (membership is "invite" or "knock" && !await IsResidentAsync(roomId, ct))
        {
            var content = Content("leave", reason);
            content.Remove("membership");
            try
            {
                await remote.LeaveAsync(roomId, userId, content, await CandidatesAsync(roomId, userId, [], ct), ct);
            }
            catch (MatrixException)
            {
                // As Synapse: servers that are down, refuse, or forgot the room cannot keep the user from declining.
                var previous = await MembershipEventAsync(roomId, userId, ct) ?? throw MatrixException.Forbidden("You are not in this room");
                await remote.LeaveOutOfBandAsync(previous, content, ct);
            }
            return;
        }
        await SetAsync(roomId, userId, userId, "leave", reason, ct);
    }

    public async Task InviteAsync(RoomId roomId, UserId sender, UserId target, string? reason, bool isDirect, CancellationToken ct)
    {
        await blocks.EnsureNotBlockedAsync(roomId, ct);
        if (target.ServerName != server.ServerName)
        {
            var remoteContent = Content("invite", reason);
            if (isDirect)
                remoteContent["is_direct"] = true;
            await writes.SendCountersignedAsync(roomId, sender, EventTypes.Member, target.ToString(), remoteContent, remoteInvite.CountersignAsync, ct);
            return;
        }
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

    /// <summary>
    /// The rules would let a moderator "kick" someone who already left or is banned (turning a ban into a leave);
    /// as in Synapse, a kick is only of someone in the room, invited or knocking, and a ban is undone by unbanning.
    /// </summary>
    public async Task KickAsync(RoomId roomId, UserId sender, UserId target, string? reason, CancellationToken ct)
    {
        if (await current.MembershipAsync(roomId.ToString(), target.ToString(), ct) is not ("join" or "invite" or "knock"))
            throw MatrixException.Forbidden("The target user is not in the room");
        await SetAsync(roomId, sender, target, "leave", reason, ct);
    }

    public Task BanAsync(RoomId roomId, UserId sender, UserId target, string? reason, CancellationToken ct) =>
        SetAsync(roomId, sender, target, "ban", reason, ct);

    public async Task UnbanAsync(RoomId roomId, UserId sender, UserId target, string? reason, CancellationToken ct)
    {
        if (await current.MembershipAsync(roomId.ToString(), target.ToString(), ct) != "ban")
            throw MatrixException.Forbidden("The user is not banned");
        await SetAsync(roomId, sender, target, "leave", reason, ct);
    }

    /// <param name="via">Servers to knock through when the room is not held here.</param>
    public async Task KnockAsync(RoomId roomId, UserId userId, string? reason, CancellationToken ct, IReadOnlyList<string>? via = null)
    {
        await restrictions.EnsureNotSuspendedAsync(userId, ct);
        await blocks.EnsureNotBlockedAsync(roomId, ct);
        if (await IsResidentAsync(roomId, ct))
        {
            await SetAsync(roomId, userId, userId, "knock", reason, ct);
            return;
        }
        var content = Content("knock", reason);
        content.Remove("membership");
        await remote.KnockAsync(roomId, userId, content, await CandidatesAsync(roomId, userId, via ?? [], ct), ct);
    }

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
