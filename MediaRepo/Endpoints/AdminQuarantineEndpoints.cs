using Homeserver.Core.Identifiers;
using Homeserver.Core.Media;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

/// <summary>Synapse's admin quarantine of media (served to nobody but admins who ask), its protection, and a room's media.</summary>
public static class AdminQuarantineEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/v1/media/quarantine/{serverName}/{mediaId}", async (string serverName, string mediaId, HttpContext ctx, MediaAdminService admin,
            CancellationToken ct) =>
        {
            await admin.QuarantineAsync(serverName, mediaId, ctx.GetRequester().UserId, ct);
            return Results.Ok(new { });
        });
        admin.MapPost("/v1/media/unquarantine/{serverName}/{mediaId}", async (string serverName, string mediaId, MediaAdminService admin, CancellationToken ct) =>
        {
            await admin.UnquarantineAsync(serverName, mediaId, ct);
            return Results.Ok(new { });
        });
        admin.MapPost("/v1/room/{roomId}/media/quarantine", async (string roomId, HttpContext ctx, MediaAdminService admin, CancellationToken ct) =>
            Results.Ok(new { num_quarantined = await admin.QuarantineRoomAsync(RoomId.Parse(roomId), ctx.GetRequester().UserId, ct) }));
        admin.MapPost("/v1/user/{userId}/media/quarantine", async (string userId, HttpContext ctx, MediaAdminService admin, CancellationToken ct) =>
            Results.Ok(new { num_quarantined = await admin.QuarantineUserAsync(UserId.Parse(userId), ctx.GetRequester().UserId, ct) }));
        admin.MapGet("/v1/room/{roomId}/media", async (string roomId, MediaAdminService admin, CancellationToken ct) =>
        {
            var (local, remote) = await admin.RoomMediaAsync(RoomId.Parse(roomId), ct);
            return Results.Ok(new { local, remote });
        });
        admin.MapPost("/v1/media/protect/{mediaId}", async (string mediaId, MediaAdminService admin, CancellationToken ct) =>
        {
            await admin.ProtectAsync(mediaId, safe: true, ct);
            return Results.Ok(new { });
        });
        admin.MapPost("/v1/media/unprotect/{mediaId}", async (string mediaId, MediaAdminService admin, CancellationToken ct) =>
        {
            await admin.ProtectAsync(mediaId, safe: false, ct);
            return Results.Ok(new { });
        });
    }
}
