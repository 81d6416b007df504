using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
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
        v3.MapGet("/directory/room/{roomAlias}", async (string roomAlias, RoomAliasStore aliases, HomeserverOptions options, CancellationToken ct) =>
        {
            var row = await aliases.GetAsync(Valid(roomAlias), ct) ?? throw MatrixException.NotFound("Room alias not found");
            return Results.Ok(new { room_id = row.RoomId, servers = new[] { options.ServerName } });
        });

        // PUT /_matrix/client/v3/directory/room/{roomAlias}
        v3.MapPut("/directory/room/{roomAlias}", async (string roomAlias, HttpContext ctx, RoomAliasStore aliases, RoomReadService reads, HomeserverOptions options, CancellationToken ct) =>
        {
            var alias = Valid(roomAlias);
            if (RoomAlias.Parse(alias).ServerName != options.ServerName)
                throw MatrixException.InvalidParam("Aliases can only be created on this server's domain");
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var roomId = RoomPaths.RoomId(RoomPaths.OptionalString(body, "room_id") ?? throw MatrixException.MissingParam("Missing room_id"));
            var r = ctx.GetRequester();
            // Synapse's require_membership_for_aliases default: only members may point an alias at a room.
            if (!await reads.IsJoinedAsync(roomId, r.UserId, ct))
                throw MatrixException.Forbidden("You must be joined to the room to create an alias for it");
            if (await aliases.GetAsync(alias, ct) is not null)
                throw new MatrixException(409, "M_UNKNOWN", "Room alias already exists");
            await aliases.CreateAsync(alias, roomId, r.UserId, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // DELETE /_matrix/client/v3/directory/room/{roomAlias}
        v3.MapDelete("/directory/room/{roomAlias}", async (string roomAlias, HttpContext ctx, RoomAliasStore aliases, CancellationToken ct) =>
        {
            var row = await aliases.GetAsync(Valid(roomAlias), ct) ?? throw MatrixException.NotFound("Room alias not found");
            if (row.Creator != ctx.GetRequester().UserId)
                throw MatrixException.Forbidden("Only the alias's creator can delete it");
            await aliases.DeleteAsync(row.RoomAlias, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // GET /_matrix/client/v3/rooms/{roomId}/aliases
        v3.MapGet("/rooms/{roomId}/aliases", async (string roomId, HttpContext ctx, RoomReadService reads, RoomAliasStore aliases, CancellationToken ct) =>
        {
            var version = await reads.VersionOfAsync(RoomPaths.RoomId(roomId), ct);
            await reads.EnsureCanReadAsync(ctx.GetRequester().UserId, roomId, version, ct);
            return Results.Ok(new { aliases = await aliases.ForRoomAsync(roomId, ct) });
        }).RequireAuthorization();
    }

    private static string Valid(string alias) =>
        RoomAlias.TryParse(alias, out _) ? alias : throw new MatrixException(400, "M_INVALID_PARAM", $"'{alias}' is not a room alias");
}
