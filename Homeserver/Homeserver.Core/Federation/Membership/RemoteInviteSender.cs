using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.Memberships;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// Invites another server's user (<c>PUT /_matrix/federation/v2/invite</c>): the invite goes with the room's
/// stripped state, and comes back signed by the invitee's server. It must be our very event, with a signature of that
/// server that verifies, before the room may have it; one that is not even an event of the room's version is 400
/// <c>M_BAD_JSON</c>, as Synapse answers, and any other answer but our event signed is 502.
/// </summary>
public sealed class RemoteInviteSender(FederationClient client, StrippedStateReader stripped, IVerifyKeys keys,
    ILogger<RemoteInviteSender> log) : IRemoteInvite
{
    public async Task<Pdu> CountersignAsync(Pdu invite, CancellationToken ct)
    {
        var target = Identifiers.UserId.Parse(invite.StateKey).ServerName;
        var body = new JsonObject
        {
            ["room_version"] = invite.RoomVersion.Id,
            ["event"] = invite.Json.DeepClone(),
            ["invite_room_state"] = await stripped.ReadAsync(invite.RoomId, ct),
        };
        var path = $"/invite/{Uri.EscapeDataString(invite.RoomId.ToString())}/{Uri.EscapeDataString(invite.EventId.ToString())}";
        JsonObject answer;
        try
        {
            answer = await client.PutV2OrV1Async(target, path, body, () => V1Body(invite, body), ct);
        }
        catch (FederationRequestException e) when (e.Status == 403)
        {
            throw MatrixException.Forbidden($"{target} refused the invite");
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Inviting {UserId} to {RoomId} failed: {Reason}", invite.StateKey, invite.RoomId, e.Message);
            throw new MatrixException(502, "M_UNKNOWN", $"{target} could not be reached to invite its user");
        }
        return await CheckedAsync(answer, invite, target, ct)
            ?? throw new MatrixException(502, "M_UNKNOWN", $"{target} did not return the invite signed");
    }

    /// <summary>
    /// v1 takes the invite itself, with the room's stripped state in its <c>unsigned</c>. It names no room version, so
    /// a server that only has v1 knows the event format of versions 1 and 2 alone: as Synapse, it is not offered others.
    /// </summary>
    private static JsonObject V1Body(Pdu invite, JsonObject v2Body)
    {
        if (!invite.RoomVersion.EventReferencesCarryHashes)
            throw new MatrixException(400, "M_UNSUPPORTED_ROOM_VERSION", "The invitee's server does not support this room version");
        var ev = (JsonObject)invite.Json.DeepClone();
        if (ev["unsigned"] is not JsonObject unsigned)
            ev["unsigned"] = unsigned = [];
        unsigned["invite_room_state"] = v2Body["invite_room_state"]!.DeepClone();
        return ev;
    }

    private async Task<Pdu?> CheckedAsync(JsonObject answer, Pdu invite, string target, CancellationToken ct)
    {
        if (answer["event"] is not JsonObject returned)
            return null;
        Pdu signed;
        try
        {
            signed = Pdu.FromJson((JsonObject)returned.DeepClone(), invite.RoomVersion);
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException or FormatException or MatrixException)
        {
            // As Synapse answers it: the event the invitee's server returned is not one of the room's version (a float in
            // a version 6 room, say), which is bad JSON, not a server failing.
            log.LogInformation("{Server} returned a malformed invite: {Reason}", target, e.Message);
            throw MatrixException.BadJson($"{target} returned an invite that is not a valid room version {invite.RoomVersion.Id} event: {e.Message}");
        }
        if (!JsonNode.DeepEquals(WithoutSignatures(signed.Json), WithoutSignatures(invite.Json))
            || !JsonNode.DeepEquals(signed.Signatures[invite.Sender.ServerName], invite.Signatures[invite.Sender.ServerName])
            || signed.Signatures[target] is not JsonObject byKey)
            return null;
        foreach (var (keyId, _) in byKey)
            if (keyId.StartsWith(SigningKey.Algorithm + ":", StringComparison.Ordinal)
                && await keys.FindAsync(target, keyId, invite.RoomVersion.EnforcesKeyValidity ? invite.OriginServerTs : null, ct) is { } publicKey
                && EventVerifier.VerifySignature(signed.Json, invite.RoomVersion, target, keyId, publicKey))
                return signed;
        return null;
    }

    private static JsonObject WithoutSignatures(JsonObject pdu)
    {
        var copy = (JsonObject)pdu.DeepClone();
        copy.Remove(PduKeys.Signatures);
        copy.Remove(PduKeys.Unsigned);
        return copy;
    }
}
