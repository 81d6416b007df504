using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// <c>invite</c> v2: another server's user invites one of ours. The invite must be of that server's user, for a
/// user of this server, with the ID the path names, signed by its sender's server, and (in a room we hold) allowed
/// by the room's current state. We add our signature and return it; for a room we are not in we keep it (an
/// outlier, with the stripped state the inviter sent) so the user sees it in /sync's <c>invite</c> section.
/// </summary>
public sealed class InviteReceiver(ResidentRoom resident, ServerAcls acls, SignatureCheckStep signatures, StateService state, CurrentStateStore current,
    RemoteMembershipStore invites, UserStore users, ServerIdentity server, SigningKey key)
{
    public async Task<JsonObject> ReceiveAsync(RoomId roomId, EventId eventId, JsonObject body, string origin, CancellationToken ct)
    {
        var versionId = JsonFields.String(body, "room_version") ?? throw MatrixException.BadJson("Missing 'room_version'");
        if (!RoomVersions.TryGet(versionId, out var version))
            throw new MatrixException(400, "M_INCOMPATIBLE_ROOM_VERSION", $"Room version {versionId} is not supported here")
            {
                Extra = new Dictionary<string, object?> { ["room_version"] = versionId },
            };
        if (body["event"] is not JsonObject json)
            throw MatrixException.BadJson("Missing 'event'");
        Pdu invite;
        try
        {
            invite = Pdu.FromJson((JsonObject)json.DeepClone(), version);
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException or FormatException or MatrixException)
        {
            throw MatrixException.BadJson($"Not an event of room version {version.Id}: {e.Message}");
        }
        if (invite.EventId != eventId || invite.RoomId != roomId)
            throw MatrixException.BadJson("The event's ID or room is not the one the path names");
        if (invite.Type != EventTypes.Member || JsonFields.String(invite.Content, "membership") != "invite")
            throw MatrixException.BadJson("Expected an m.room.member invite");
        ResidentRoom.EnsureOfOrigin(invite.Sender, origin);
        await acls.EnsureAllowedAsync(roomId, origin, ct);
        if (!UserId.TryParse(invite.StateKey, out var invitee) || invitee.Value.ServerName != server.ServerName)
            throw MatrixException.Forbidden("The invite is not for a user of this server");
        // Signing rewrites the content hash from the content: it must be the one the sender signed.
        if (!EventVerifier.VerifyContentHash(invite.Json))
            throw MatrixException.BadJson("The event's content hash is wrong");
        try
        {
            await signatures.RunAsync(new IngestContext { Event = invite, Origin = origin, IsLocal = false }, ct);
        }
        catch (EventRefusedException e)
        {
            throw MatrixException.Forbidden(e.Message);
        }
        var isResident = await resident.IsJoinedAsync(roomId, ct);
        if (isResident)
        {
            var verdict = await StateAuthCheckStep.AuthoriseAsync(state, invite, await current.GetStateAsync(roomId.ToString(), ct), ct);
            if (!verdict.IsAllowed)
                throw MatrixException.Forbidden(verdict.Reason!);
        }
        var signedJson = (JsonObject)invite.Json.DeepClone();
        EventSigner.Sign(signedJson, version, server.ServerName, key);
        var signed = Pdu.FromJson(signedJson, version);
        // In a room we hold, the invite reaches us again as an event of the room, from the inviting server. An invite
        // for no active user of ours is signed all the same, as Synapse does (an inviter learns nothing of who exists
        // here), but kept nowhere: nobody would see it, and a later account of that name must not inherit it.
        if (!isResident && await users.GetAsync(invitee.Value.ToString(), ct) is { IsDeactivated: false })
        {
            var stripped = StrippedStateReader.Sanitize(body["invite_room_state"]);
            stripped.Add(StrippedStateReader.Strip(signed));
            var creator = stripped.OfType<JsonObject>().Where(e => JsonFields.String(e, "type") == EventTypes.Create)
                .Select(e => JsonFields.String(e, "sender")).FirstOrDefault(s => UserId.TryParse(s, out _)) ?? invite.Sender.ToString();
            await invites.RecordAsync(signed, "invite", stripped.ToJsonString(), creator, ct);
        }
        return new JsonObject { ["event"] = signed.Json.DeepClone() };
    }
}
