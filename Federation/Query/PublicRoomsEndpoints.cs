using Homeserver.Http.FederationAuth;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Query;

/// <summary>Our room directory for other servers' clients, with the client API's filters and paging.</summary>
public static class PublicRoomsEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/publicRooms
        v1.MapGet("/publicRooms", async (HttpContext ctx, PublicRoomsService directory, CancellationToken ct) =>
        {
            _ = ctx.GetFederationOrigin();
            var request = PublicRoomsRequest.FromQuery(name => ctx.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null);
            return Results.Ok(await directory.ListAsync(request, ct));
        });

        // POST /_matrix/federation/v1/publicRooms
        v1.MapPost("/publicRooms", async (HttpContext ctx, PublicRoomsService directory, CancellationToken ct) =>
        {
            _ = ctx.GetFederationOrigin();
            var request = JsonBody.Bind<PublicRoomsRequest>(await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct));
            return Results.Ok(await directory.ListAsync(request, ct));
        });
    }
}
