using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class AliasEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/directory/room/{roomAlias}
        v3.MapGet("/directory/room/{roomAlias}", async (string roomAlias, RoomAliasService aliases, CancellationToken ct) =>
        {
            var resolved = await aliases.LookupAsync(Valid(roomAlias), ct);
            return Results.Ok(new { room_id = resolved.RoomId, servers = resolved.Servers });
        });

        // PUT /_matrix/client/v3/directory/room/{roomAlias}
        v3.MapPut("/directory/room/{roomAlias}", async (string roomAlias, HttpContext ctx, RoomAliasService aliases, CancellationToken ct) =>
        {
            var alias = Valid(roomAlias);
            aliases.EnsureLocal(alias);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var roomId = RoomPaths.RoomId(RoomPaths.OptionalString(body, "room_id") ?? throw MatrixException.MissingParam("Missing room_id"));
            var r = ctx.GetRequester();
            await aliases.CreateAsync(alias, roomId, r.UserId, r.AppServiceId, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // DELETE /_matrix/client/v3/directory/room/{roomAlias}
        v3.MapDelete("/directory/room/{roomAlias}", async (string roomAlias, HttpContext ctx, RoomAliasService aliases, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            await aliases.DeleteAsync(Valid(roomAlias), r.UserId, r.AppServiceId, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // GET /_matrix/client/v3/rooms/{roomId}/aliases
        v3.MapGet("/rooms/{roomId}/aliases", async (string roomId, HttpContext ctx, RoomAliasService aliases, CancellationToken ct) =>
            Results.Ok(new { aliases = await aliases.OfRoomAsync(RoomPaths.RoomId(roomId), ctx.GetRequester().UserId, ct) })).RequireAuthorization();
    }

    private static string Valid(string alias) =>
        RoomAlias.TryParse(alias, out _) ? alias : throw new MatrixException(400, "M_INVALID_PARAM", $"'{alias}' is not a room alias");
}
