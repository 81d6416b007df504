using System.Text.Json.Nodes;
using Homeserver.Core.Rooms.ThirdPartyInvites;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Membership;

/// <summary>
/// <c>PUT /_matrix/federation/v1/3pid/onbind</c> (POST as Sydent and Synapse use it): an identity server tells us an
/// address was bound, with the invites it held for it. The caller is an identity server, not a homeserver, so there is
/// no X-Matrix; the invites count only through the signatures the room's auth rules check.
/// </summary>
public static class ThirdPartyOnBindEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var onBind = async (HttpContext ctx, ThirdPartyInviteService invites, CancellationToken ct) =>
        {
            await invites.OnBindAsync(JsonObject.Create(await JsonBody.ReadObjectAsync(ctx.Request, ct))!, ct);
            return Results.Ok(new { });
        };
        app.MapPut("/_matrix/federation/v1/3pid/onbind", onBind).RequireRateLimiting(RateLimitPolicies.Invite);
        app.MapPost("/_matrix/federation/v1/3pid/onbind", onBind).RequireRateLimiting(RateLimitPolicies.Invite);
    }
}
