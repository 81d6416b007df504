using Homeserver.Http.FederationAuth;
using Federation.Events;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class SendKnockEndpoint
{
    public static void Map(RouteGroupBuilder v1) =>
        // PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId} — the knocking server's signed knock; answered with
        // the stripped state its user is shown while the knock waits.
        v1.MapPut("/send_knock/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx,
            SendMembershipService send, StrippedStateReader stripped, CancellationToken ct) =>
        {
            var room = RoomId.Parse(roomId);
            var body = await MembershipBody.ReadAsync(ctx.Request, ct);
            await send.AcceptAsync(room, FederationPaths.HandshakeEventId(eventId), body, "knock", ctx.GetFederationOrigin(), ct);
            return Results.Ok(new { knock_room_state = await stripped.ReadAsync(room, ct) });
        });
}
