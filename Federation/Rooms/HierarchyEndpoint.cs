using Federation.Events;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Spaces;
using Homeserver.Http.FederationAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Rooms;

public static class HierarchyEndpoint
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/hierarchy/{roomId}?suggested_only= — a space and its children, for the asking server.
        v1.MapGet("/hierarchy/{roomId}", async (string roomId, string? suggested_only, HttpContext ctx, FederationHierarchyService hierarchy,
            CancellationToken ct) =>
        {
            var suggestedOnly = suggested_only switch
            {
                null or "false" => false,
                "true" => true,
                _ => throw MatrixException.InvalidParam("suggested_only must be true or false"),
            };
            return Results.Ok(await hierarchy.GetAsync(ctx.GetFederationOrigin(), FederationPaths.RoomId(roomId), suggestedOnly, ct));
        });
    }
}
