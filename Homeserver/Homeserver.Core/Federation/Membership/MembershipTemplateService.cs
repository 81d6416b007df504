using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Keys;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// <c>make_join</c>, <c>make_leave</c> and <c>make_knock</c>: the membership event another server's user would send,
/// built on the room's current extremities and already checked against its current state, for that server to fill
/// in, sign and hand back through the matching <c>send_*</c>.
/// </summary>
public sealed class MembershipTemplateService(ResidentRoom resident, RoomWriteService writes, StateService state,
    CurrentStateStore current, RestrictedJoinAuthoriser restricted, ServerIdentity server, SigningKey key)
{
    /// <param name="supportedVersions">The <c>ver</c> parameters: the room versions the asking server speaks (join and knock only).</param>
    public async Task<JsonObject> MakeAsync(RoomId roomId, UserId userId, string membership, string origin,
        IReadOnlyCollection<string>? supportedVersions, CancellationToken ct)
    {
        ResidentRoom.EnsureOfOrigin(userId, origin);
        var version = await resident.VersionAsync(roomId, origin, ct);
        if (supportedVersions is not null && !supportedVersions.Contains(version.Id))
            throw new MatrixException(400, "M_INCOMPATIBLE_ROOM_VERSION", $"Your server does not support room version {version.Id}")
            {
                Extra = new Dictionary<string, object?> { ["room_version"] = version.Id },
            };
        if (membership == "knock" && !version.SupportsKnocking)
            throw new MatrixException(400, "M_INCOMPATIBLE_ROOM_VERSION", $"Room version {version.Id} does not support knocking")
            {
                Extra = new Dictionary<string, object?> { ["room_version"] = version.Id },
            };
        var content = new JsonObject { ["membership"] = membership };
        if (membership == "join")
            await AddAuthoriserAsync(roomId, version, userId, content, ct);
        var built = await writes.BuildAsync(roomId, version, userId, EventTypes.Member, userId.ToString(), content, null, null, ct);
        var candidate = built.Event;
        if (content.ContainsKey(AuthEventSelection.JoinAuthorisedViaUsersServerKey))
        {
            // The rules ask for the authoriser's server's signature, which send_join will add: the check here needs it too.
            var json = (JsonObject)candidate.Json.DeepClone();
            EventSigner.Sign(json, version, server.ServerName, key);
            candidate = Pdu.FromJson(json, version);
        }
        var verdict = await StateAuthCheckStep.AuthoriseAsync(state, candidate, built.StateBefore.Map, ct);
        if (!verdict.IsAllowed)
            throw MatrixException.Forbidden(verdict.Reason!);
        return new JsonObject { ["room_version"] = version.Id, ["event"] = Template(built.Event) };
    }

    /// <summary>
    /// A restricted room admits a user of another server through one of our members who may invite; when the user
    /// qualifies (and needs it, not being invited or joined already) the template names that member.
    /// </summary>
    private async Task AddAuthoriserAsync(RoomId roomId, RoomVersion version, UserId userId, JsonObject content, CancellationToken ct)
    {
        if (!version.SupportsRestrictedJoinRule
            || await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct) is "invite" or "join")
            return;
        // Without one the auth rules refuse the join below, with their reason.
        if (await restricted.FindAuthoriserAsync(roomId, version, userId, ct) is { } authoriser)
            content[AuthEventSelection.JoinAuthorisedViaUsersServerKey] = authoriser;
    }

    /// <summary>The event without what its sender's server adds: hashes, signatures and (room versions 1–2) its ID.</summary>
    private static JsonObject Template(Pdu ev)
    {
        var json = (JsonObject)ev.Json.DeepClone();
        json.Remove(PduKeys.Hashes);
        json.Remove(PduKeys.Signatures);
        json.Remove(PduKeys.EventId);
        json.Remove(PduKeys.Unsigned);
        return json;
    }
}
