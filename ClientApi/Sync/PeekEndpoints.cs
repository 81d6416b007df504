using ClientApi.Rooms;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Sync.Peeks;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Sync;

/// <summary>
/// Peeking (MSC2753, as SyTest and the MSC name it): a device starts or stops following a world-readable room it is
/// not in, which its <c>/sync</c> then shows under <c>rooms.peek</c>.
/// </summary>
public static class PeekEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("").RequireAuthorization();

        // POST /_matrix/client/v3/peek/{roomIdOrAlias}
        g.MapPost("/peek/{roomIdOrAlias}", async (string roomIdOrAlias, HttpContext ctx, PeekService peeks, RoomAliasService aliases, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var roomId = roomIdOrAlias.StartsWith('#') ? (await aliases.LookupAsync(roomIdOrAlias, ct)).RoomId : RoomPaths.RoomId(roomIdOrAlias);
            await peeks.PeekAsync(r.UserId, r.RequireDevice(), roomId, ct);
            return Results.Ok(new { room_id = roomId.ToString() });
        }).AllowGuests();

        // POST /_matrix/client/v3/rooms/{roomId}/unpeek
        g.MapPost("/rooms/{roomId}/unpeek", async (string roomId, HttpContext ctx, PeekService peeks, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            await peeks.UnpeekAsync(r.UserId, r.RequireDevice(), RoomPaths.RoomId(roomId), ct);
            return Results.Ok(new { });
        }).AllowGuests();
    }
}
