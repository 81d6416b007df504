using Homeserver.Http.FederationAuth;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class MakeJoinEndpoint
{
    public static void Map(RouteGroupBuilder v1) =>
        // GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=… — a join template for a user of the asking server.
        v1.MapGet("/make_join/{roomId}/{userId}", async (string roomId, string userId, string[]? ver, HttpContext ctx,
            MembershipTemplateService templates, CancellationToken ct) =>
            Results.Ok(await templates.MakeAsync(RoomId.Parse(roomId), UserId.Parse(userId), "join", ctx.GetFederationOrigin(),
                // The spec's default when the asking server names no version.
                ver is { Length: > 0 } ? ver : ["1"], ct)));
}
