using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class RoomVisibilityEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/directory/list/room/{roomId}
        // No access token required (the spec sets no security here): a room's directory visibility is public knowledge.
        v3.MapGet("/directory/list/room/{roomId}", async (string roomId, RoomPublicationService publication, CancellationToken ct) =>
            Results.Ok(new { visibility = await publication.IsPublishedAsync(RoomPaths.RoomId(roomId), ct) ? "public" : "private" }));

        // PUT /_matrix/client/v3/directory/list/room/{roomId}
        v3.MapPut("/directory/list/room/{roomId}", async (string roomId, HttpContext ctx, RoomPublicationService publication, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            // The spec's default when the body leaves it out.
            var visibility = RoomPaths.OptionalString(body, "visibility") ?? "public";
            if (visibility is not ("public" or "private"))
                throw MatrixException.InvalidParam("visibility must be public or private");
            await publication.SetPublishedAsync(RoomPaths.RoomId(roomId), ctx.GetRequester().UserId, visibility == "public", ct);
            return Results.Ok(new { });
        }).RequireAuthorization();
    }
}
