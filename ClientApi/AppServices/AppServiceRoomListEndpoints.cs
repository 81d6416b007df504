using ClientApi.Rooms;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.AppServices;

public static class AppServiceRoomListEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // PUT /_matrix/client/v3/directory/list/appservice/{networkId}/{roomId}
        v3.MapPut("/directory/list/appservice/{networkId}/{roomId}", async (string networkId, string roomId, HttpContext ctx, NetworkRoomPublicationService publication, CancellationToken ct) =>
        {
            var service = RequireAppService(ctx);
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            // The spec requires visibility; Synapse defaults it to public as the client directory's PUT does.
            var visibility = RoomPaths.OptionalString(body, "visibility") ?? "public";
            if (visibility is not ("public" or "private"))
                throw MatrixException.InvalidParam("visibility must be public or private");
            await publication.SetPublishedAsync(service, networkId, RoomPaths.RoomId(roomId), visibility == "public", ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // DELETE /_matrix/client/v3/directory/list/appservice/{networkId}/{roomId}
        // Not in the spec: Synapse's (and SyTest's) way of setting visibility private.
        v3.MapDelete("/directory/list/appservice/{networkId}/{roomId}", async (string networkId, string roomId, HttpContext ctx, NetworkRoomPublicationService publication, CancellationToken ct) =>
        {
            var service = RequireAppService(ctx);
            await publication.SetPublishedAsync(service, networkId, RoomPaths.RoomId(roomId), false, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();
    }

    private static string RequireAppService(HttpContext ctx) =>
        ctx.GetAppService()?.Id ?? throw MatrixException.Forbidden("Only application services can edit their networks' room lists");
}
