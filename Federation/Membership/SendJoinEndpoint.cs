using Homeserver.Http.FederationAuth;
using Federation.Events;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class SendJoinEndpoint
{
    public static void Map(RouteGroupBuilder v1, RouteGroupBuilder v2)
    {
        // PUT /_matrix/federation/v2/send_join/{roomId}/{eventId}?omit_members=… — the joining server's signed join.
        v2.MapPut("/send_join/{roomId}/{eventId}", async (string roomId, string eventId, bool? omit_members, HttpContext ctx,
            SendMembershipService send, JoinResponseBuilder responses, CancellationToken ct) =>
            Results.Ok(await JoinAsync(roomId, eventId, omit_members ?? false, ctx, send, responses, ct)));

        // PUT /_matrix/federation/v1/send_join/{roomId}/{eventId} — the same, answered in v1's [200, answer] wrapper, for
        // servers that predate v2 (Synapse still serves it).
        v1.MapPut("/send_join/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx,
            SendMembershipService send, JoinResponseBuilder responses, CancellationToken ct) =>
            Results.Ok(new object[] { 200, await JoinAsync(roomId, eventId, false, ctx, send, responses, ct) }));
    }

    private static async Task<object> JoinAsync(string roomId, string eventId, bool omitMembers, HttpContext ctx,
        SendMembershipService send, JoinResponseBuilder responses, CancellationToken ct)
    {
        var body = await MembershipBody.ReadAsync(ctx.Request, ct);
        var accepted = await send.AcceptAsync(RoomId.Parse(roomId), FederationPaths.HandshakeEventId(eventId), body, "join", ctx.GetFederationOrigin(), ct);
        return await responses.BuildAsync(accepted, omitMembers, ct);
    }
}
