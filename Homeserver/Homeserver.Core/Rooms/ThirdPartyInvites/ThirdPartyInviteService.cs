using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Threepids;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.ThirdPartyInvites;

/// <summary>
/// Invites by email address or other third-party identifier (client-server "Third-party invites"). An address the
/// identity server has bound is an ordinary invite of its user; otherwise the identity server holds the invite and
/// the room gets an <c>m.room.third_party_invite</c> whose keys must later sign the redemption: an
/// <c>m.room.member</c> invite carrying <c>third_party_invite.signed</c>, which the auth rules check.
/// </summary>
public sealed class ThirdPartyInviteService(IdentityServerClient identityServers, MembershipService members, RoomWriteService writes,
    RoomReadService reads, CurrentStateStore current, StateService state, UserStore users, ServerIdentity server)
{
    public async Task InviteAsync(RoomId roomId, UserId sender, ThreepidInvite invite, CancellationToken ct)
    {
        var idServer = IdentityServerClient.NormaliseName(invite.IdServer);
        if (string.IsNullOrEmpty(invite.IdAccessToken))
            throw MatrixException.MissingParam("Missing id_access_token");
        // Checked before the identity server is asked, so that nobody mails an address on behalf of a room they cannot invite to.
        await EnsureMayInviteAsync(roomId, sender, ct);
        if (await identityServers.LookupAsync(idServer, invite.IdAccessToken, invite.Medium, invite.Address, ct) is { } bound)
        {
            await members.InviteAsync(roomId, sender, UserId.TryParse(bound, out var target) ? target.Value
                : throw new MatrixException(502, ErrorCodes.Unknown, "The identity server answered no valid user ID"), null, isDirect: false, ct);
            return;
        }
        var request = new JsonObject
        {
            ["medium"] = invite.Medium,
            ["address"] = invite.Address,
            ["room_id"] = roomId.ToString(),
            ["sender"] = sender.ToString(),
        };
        if ((await users.GetAsync(sender.ToString(), ct))?.Displayname is { } name)
            request["sender_display_name"] = name;
        var stored = await identityServers.StoreInviteAsync(idServer, invite.IdAccessToken, request, ct);
        var content = new JsonObject
        {
            ["display_name"] = stored.DisplayName,
            ["key_validity_url"] = $"https://{idServer}/_matrix/identity/v2/pubkey/isvalid",
            ["public_keys"] = new JsonArray([.. stored.PublicKeys]),
        };
        if (stored.PublicKey is { } key)
            content["public_key"] = key;
        await writes.SendAsync(roomId, sender, EventTypes.ThirdPartyInvite, stored.Token, content, null, ct);
    }

    /// <summary>
    /// Turns a signed redemption of an <c>m.room.third_party_invite</c> into the invite of <paramref name="target"/>,
    /// sent by whoever sent the third-party invite (who may have left since). The auth rules refuse a signature that
    /// is not by one of the invite's keys and a token this room does not hold.
    /// </summary>
    public async Task ExchangeAsync(RoomId roomId, UserId target, JsonObject signed, CancellationToken ct)
    {
        var token = JsonFields.String(signed, "token") ?? throw MatrixException.BadJson("third_party_signed lacks a token");
        if (JsonFields.String(signed, "mxid") != target.ToString())
            throw MatrixException.Forbidden("third_party_signed names another user");
        if (await current.MembershipAsync(roomId.ToString(), target.ToString(), ct) is "invite" or "join")
            return;
        var version = await reads.VersionOfAsync(roomId, ct);
        var invite = await state.GetStateEventAsync(await current.GetStateAsync(roomId.ToString(), ct),
            new StateEventKey(EventTypes.ThirdPartyInvite, token), version, ct) ?? throw MatrixException.Forbidden("No third-party invite in this room has that token");
        if (invite.Sender.ServerName != server.ServerName)
            throw MatrixException.Forbidden("The third-party invite was sent by another server's user");
        await EnsureSignedByValidKeyAsync(signed, invite.Content, ct);
        var content = new JsonObject
        {
            ["membership"] = "invite",
            ["third_party_invite"] = new JsonObject
            {
                ["display_name"] = JsonFields.String(invite.Content, "display_name") ?? "",
                ["signed"] = signed.DeepClone(),
            },
        };
        await writes.SendAsync(roomId, invite.Sender, EventTypes.Member, target.ToString(), content, null, ct);
    }

    /// <summary>
    /// An identity server's word that an address now belongs to a user (federation <c>3pid/onbind</c>): each invite
    /// it held for the address, in a room held here, is redeemed. Nothing here trusts the caller: the invite counts only
    /// if the room's <c>m.room.third_party_invite</c> keys signed it. As in Synapse, an invite that cannot be redeemed
    /// fails the call (after the others are tried), so the identity server knows.
    /// </summary>
    public async Task OnBindAsync(JsonObject body, CancellationToken ct)
    {
        if (!UserId.TryParse(JsonFields.String(body, "mxid"), out var user) || body["invites"] is not JsonArray invites)
            return;
        MatrixException? refused = null;
        foreach (var invite in invites.OfType<JsonObject>())
        {
            if (!RoomId.TryParse(JsonFields.String(invite, "room_id"), out var roomId) || invite["signed"] is not JsonObject signed
               )
                continue;
            try
            {
                await ExchangeAsync(roomId.Value, user.Value, signed, ct);
            }
            catch (MatrixException e)
            {
                refused ??= e;
            }
        }
        if (refused is not null)
            throw refused;
    }

    /// <summary>
    /// The auth rules check the signature against the invite's keys; as Synapse does, a key the identity server has
    /// since revoked (or can no longer be asked about) does not count either.
    /// </summary>
    private async Task EnsureSignedByValidKeyAsync(JsonObject signed, JsonObject inviteContent, CancellationToken ct)
    {
        foreach (var (publicKey, validityUrl) in ThirdPartyInviteRule.KeysThatSigned(signed, inviteContent))
            if (validityUrl is null || await identityServers.IsKeyValidAsync(validityUrl, publicKey, ct))
                return;
        throw MatrixException.Forbidden("third_party_signed is not signed by a valid key of the room's third-party invite");
    }

    private async Task EnsureMayInviteAsync(RoomId roomId, UserId sender, CancellationToken ct)
    {
        if (await current.MembershipAsync(roomId.ToString(), sender.ToString(), ct) != "join")
            throw MatrixException.Forbidden("You are not in this room");
        var levels = await state.PowerLevelsAsync(await current.GetStateAsync(roomId.ToString(), ct), await reads.VersionOfAsync(roomId, ct), ct);
        if (levels.GetUserLevel(sender) < levels.Invite)
            throw MatrixException.Forbidden("You do not have permission to invite to this room");
    }
}
