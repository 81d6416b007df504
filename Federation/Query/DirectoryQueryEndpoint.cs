using Homeserver.Http.FederationAuth;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Directory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Query;

public static class DirectoryQueryEndpoint
{
    public static void Map(RouteGroupBuilder v1) =>
        // GET /_matrix/federation/v1/query/directory?room_alias=… — one of our aliases: its room and the servers in it.
        v1.MapGet("/query/directory", async (string? room_alias, HttpContext ctx, RoomAliasService aliases, CancellationToken ct) =>
        {
            _ = ctx.GetFederationOrigin();
            var resolved = await aliases.LookupLocalAsync(room_alias ?? throw MatrixException.MissingParam("Missing 'room_alias'"), ct);
            return Results.Ok(new { room_id = resolved.RoomId.ToString(), servers = resolved.Servers });
        });
}
