using System.Text.Json.Nodes;
using ClientApi.Rooms;
using Homeserver.Core.AccountData;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.AccountData;

public static class RoomTagEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/user/{userId}/rooms/{roomId}/tags").RequireAuthorization();

        // GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags
        g.MapGet("", async (string userId, string roomId, HttpContext ctx, RoomTagService tags, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            var body = new JsonObject { ["tags"] = await tags.GetAsync(r.UserId, RoomPaths.RoomId(roomId), ct) };
            return Results.Text(body.ToJsonString(), "application/json");
        });

        // PUT/DELETE /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}
        g.MapPut("/{tag}", async (string userId, string roomId, string tag, HttpContext ctx, RoomTagService tags, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            await tags.PutAsync(r.UserId, RoomPaths.RoomId(roomId), tag, body, ct);
            return Results.Ok(new { });
        });
        g.MapDelete("/{tag}", async (string userId, string roomId, string tag, HttpContext ctx, RoomTagService tags, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            await tags.DeleteAsync(r.UserId, RoomPaths.RoomId(roomId), tag, ct);
            return Results.Ok(new { });
        });
    }
}
