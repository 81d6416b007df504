using Homeserver.Http.FederationAuth;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class MakeLeaveEndpoint
{
    public static void Map(RouteGroupBuilder v1) =>
        // GET /_matrix/federation/v1/make_leave/{roomId}/{userId} — a leave template (to leave, or to refuse an invite).
        v1.MapGet("/make_leave/{roomId}/{userId}", async (string roomId, string userId, HttpContext ctx,
            MembershipTemplateService templates, CancellationToken ct) =>
            Results.Ok(await templates.MakeAsync(RoomId.Parse(roomId), UserId.Parse(userId), "leave", ctx.GetFederationOrigin(), null, ct)));
}
