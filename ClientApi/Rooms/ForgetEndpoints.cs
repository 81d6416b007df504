using Homeserver.Core.Rooms.Memberships;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class ForgetEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // POST /_matrix/client/v3/rooms/{roomId}/forget
        // The spec defines no body; whatever a client sends is ignored.
        v3.MapPost("/rooms/{roomId}/forget", async (string roomId, HttpContext ctx, ForgetService forget, CancellationToken ct) =>
        {
            await forget.ForgetAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), ct);
            return Results.Ok(new { });
        }).RequireAuthorization();
    }
}
