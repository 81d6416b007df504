using Homeserver.Http.FederationAuth;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

public static class MakeKnockEndpoint
{
    public static void Map(RouteGroupBuilder v1) =>
        // GET /_matrix/federation/v1/make_knock/{roomId}/{userId}?ver=… — a knock template; ver is required here.
        v1.MapGet("/make_knock/{roomId}/{userId}", async (string roomId, string userId, string[]? ver, HttpContext ctx,
            MembershipTemplateService templates, CancellationToken ct) =>
            Results.Ok(await templates.MakeAsync(RoomId.Parse(roomId), UserId.Parse(userId), "knock", ctx.GetFederationOrigin(),
                ver is { Length: > 0 } ? ver : throw MatrixException.MissingParam("Missing 'ver'"), ct)));
}
