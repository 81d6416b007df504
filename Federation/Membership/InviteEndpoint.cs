using System.Text.Json.Nodes;
using Homeserver.Http.FederationAuth;
using Federation.Events;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class InviteEndpoint
{
    public static void Map(RouteGroupBuilder v1, RouteGroupBuilder v2)
    {
        // PUT /_matrix/federation/v2/invite/{roomId}/{eventId} — another server's user invites one of ours; answered
        // with the invite signed by us too.
        v2.MapPut("/invite/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx, InviteReceiver invites, CancellationToken ct) =>
        {
            var body = await MembershipBody.ReadAsync(ctx.Request, ct);
            return Results.Ok(await invites.ReceiveAsync(RoomId.Parse(roomId), FederationPaths.HandshakeEventId(eventId), body, ctx.GetFederationOrigin(), ct));
        });

        // PUT /_matrix/federation/v1/invite/{roomId}/{eventId} — the body is the event itself, its stripped state in
        // unsigned.invite_room_state, and the answer in v1's [200, answer] wrapper. It names no room version: as
        // Synapse, the room is taken to be of version 1, whose events read as version 2's do.
        v1.MapPut("/invite/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx, InviteReceiver invites, CancellationToken ct) =>
        {
            var invite = await MembershipBody.ReadAsync(ctx.Request, ct);
            var body = new JsonObject
            {
                ["room_version"] = RoomVersions.V1.Id,
                ["event"] = invite.DeepClone(),
                ["invite_room_state"] = (invite["unsigned"] as JsonObject)?["invite_room_state"]?.DeepClone(),
            };
            var signed = await invites.ReceiveAsync(RoomId.Parse(roomId), FederationPaths.HandshakeEventId(eventId), body, ctx.GetFederationOrigin(), ct);
            return Results.Ok(new object[] { 200, signed });
        });
    }
}
