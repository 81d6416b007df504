using Federation.Auth;
using Federation.Events;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class InviteEndpoint
{
    public static void Map(RouteGroupBuilder v2) =>
        // PUT /_matrix/federation/v2/invite/{roomId}/{eventId} — another server's user invites one of ours; answered
        // with the invite signed by us too.
        v2.MapPut("/invite/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx, InviteReceiver invites, CancellationToken ct) =>
        {
            var body = await MembershipBody.ReadAsync(ctx.Request, ct);
            return Results.Ok(await invites.ReceiveAsync(RoomId.Parse(roomId), FederationPaths.HandshakeEventId(eventId), body, ctx.GetFederationOrigin(), ct));
        });
}
