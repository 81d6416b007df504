using Homeserver.Http.FederationAuth;
using Federation.Events;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class SendLeaveEndpoint
{
    public static void Map(RouteGroupBuilder v1, RouteGroupBuilder v2)
    {
        // PUT /_matrix/federation/v2/send_leave/{roomId}/{eventId} — the leaving server's signed leave.
        v2.MapPut("/send_leave/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx, SendMembershipService send, CancellationToken ct) =>
        {
            await LeaveAsync(roomId, eventId, ctx, send, ct);
            return Results.Ok(new { });
        });

        // PUT /_matrix/federation/v1/send_leave/{roomId}/{eventId} — the same in v1's [200, {}] wrapper.
        v1.MapPut("/send_leave/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx, SendMembershipService send, CancellationToken ct) =>
        {
            await LeaveAsync(roomId, eventId, ctx, send, ct);
            return Results.Ok(new object[] { 200, new { } });
        });
    }

    private static async Task LeaveAsync(string roomId, string eventId, HttpContext ctx, SendMembershipService send, CancellationToken ct)
    {
        var body = await MembershipBody.ReadAsync(ctx.Request, ct);
        await send.AcceptAsync(RoomId.Parse(roomId), FederationPaths.HandshakeEventId(eventId), body, "leave", ctx.GetFederationOrigin(), ct);
    }
}
