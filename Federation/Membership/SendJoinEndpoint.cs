using Federation.Auth;
using Federation.Events;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class SendJoinEndpoint
{
    public static void Map(RouteGroupBuilder v2) =>
        // PUT /_matrix/federation/v2/send_join/{roomId}/{eventId}?omit_members=… — the joining server's signed join.
        v2.MapPut("/send_join/{roomId}/{eventId}", async (string roomId, string eventId, bool? omit_members, HttpContext ctx,
            SendMembershipService send, JoinResponseBuilder responses, CancellationToken ct) =>
        {
            var body = await MembershipBody.ReadAsync(ctx.Request, ct);
            var accepted = await send.AcceptAsync(RoomId.Parse(roomId), FederationPaths.HandshakeEventId(eventId), body, "join", ctx.GetFederationOrigin(), ct);
            return Results.Ok(await responses.BuildAsync(accepted, omit_members ?? false, ct));
        });
}
