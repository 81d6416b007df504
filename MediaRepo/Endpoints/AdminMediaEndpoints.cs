using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Media;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

public static class AdminMediaEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // DELETE /_synapse/admin/v1/media/{serverName}/{mediaId} — Synapse's admin API, which moderation tools use.
        app.MapDelete("/_synapse/admin/v1/media/{serverName}/{mediaId}", async (HttpContext ctx, string serverName, string mediaId, AccountService accounts, MediaService media, CancellationToken ct) =>
        {
            await accounts.EnsureAdminAsync(ctx.GetRequester().UserId, ct);
            if (!await media.DeleteAsync(serverName, mediaId, ct))
                throw MatrixException.NotFound("Media not found");
            return Results.Ok(new { deleted_media = new[] { mediaId }, total = 1 });
        }).RequireAuthorization();
    }
}
