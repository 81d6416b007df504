using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Creation;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.ServerNotices;

/// <summary>
/// Server notices as Synapse sends them: from a system account (created on the first notice, with the configured name
/// and avatar) into one room per user, which the user is invited to, sees tagged <c>m.server_notice</c>, may read
/// but not speak in, and which never federates. A user who left is invited again by the next notice.
/// </summary>
public sealed class ServerNoticeService(ServerNoticesOptions options, ServerNoticeStore store, AccountService accounts, UserStore users,
    ProfileService profiles, RoomCreationService creation, MembershipService memberships, RoomWriteService writes, RoomStore rooms,
    CurrentStateStore current, RoomTagService tags, ServerIdentity server)
{
    public const string Tag = "m.server_notice";

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="txnKey">Identifies a retried request (the admin and their transaction ID); null when there is none.</param>
    public async Task<EventId> SendAsync(UserId target, string type, string? stateKey, JsonObject content, string? txnKey, CancellationToken ct)
    {
        if (!options.Enabled)
            throw new MatrixException(400, ErrorCodes.Unknown, "Server notices are not enabled on this server");
        if (target.ServerName != server.ServerName)
            throw MatrixException.InvalidParam("Server notices can only be sent to local users");
        if (!await users.ExistsAsync(target.ToString(), ct))
            throw MatrixException.NotFound("Unknown user");
        // One notice at a time: the system account and each user's room are made once, and a retried transaction
        // waits for the first to be recorded.
        await _gate.WaitAsync(ct);
        try
        {
            if (txnKey is not null && await store.EventOfTxnAsync(txnKey, ct) is { } sent)
                return EventId.Parse(sent);
            var system = await SystemUserAsync(ct);
            var roomId = await RoomForAsync(system, target, ct);
            var eventId = await writes.SendAsync(roomId, system, type, stateKey, content, null, ct);
            if (txnKey is not null)
                await store.AddTxnAsync(txnKey, eventId.ToString(), ct);
            return eventId;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<UserId> SystemUserAsync(CancellationToken ct)
    {
        var system = accounts.UserIdFor(options.SystemMxidLocalpart!);
        if (await users.ExistsAsync(system.ToString(), ct))
            return system;
        await accounts.CreateAsync(options.SystemMxidLocalpart!, null, admin: false, login: null, ct);
        if (options.SystemMxidDisplayName is { } name)
            await profiles.SetFieldAsync(system, ProfileService.Displayname, name, ct);
        if (options.SystemMxidAvatarUrl is { } avatar)
            await profiles.SetFieldAsync(system, ProfileService.AvatarUrl, avatar, ct);
        return system;
    }

    private async Task<RoomId> RoomForAsync(UserId system, UserId target, CancellationToken ct)
    {
        if (await store.RoomOfAsync(target.ToString(), ct) is { } existing && await rooms.GetAsync(existing, ct) is not null
            && await current.MembershipAsync(existing, system.ToString(), ct) == "join")
        {
            var roomId = RoomId.Parse(existing);
            if (await current.MembershipAsync(existing, target.ToString(), ct) is not ("join" or "invite"))
                await memberships.InviteAsync(roomId, system, target, null, false, ct);
            return roomId;
        }
        var created = await creation.CreateAsync(system, new CreateRoomRequest
        {
            Preset = "private_chat",
            Name = options.RoomName,
            CreationContent = new JsonObject { ["m.federate"] = false },
            PowerLevelContentOverride = new JsonObject { ["users_default"] = -10 },
        }, ct);
        using var empty = JsonDocument.Parse("{}");
        await tags.PutAsync(target, created, Tag, empty.RootElement, ct);
        await memberships.InviteAsync(created, system, target, null, false, ct);
        await store.SetRoomAsync(target.ToString(), created.ToString(), ct);
        return created;
    }
}
