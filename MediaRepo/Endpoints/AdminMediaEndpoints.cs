using Homeserver.Core.Errors;
using Homeserver.Core.Media;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

/// <summary>The media part of Synapse's admin API, which moderation tools use.</summary>
public static class AdminMediaEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapDelete("/v1/media/{serverName}/{mediaId}", async (string serverName, string mediaId, MediaService media, CancellationToken ct) =>
        {
            if (!await media.DeleteAsync(serverName, mediaId, ct))
                throw MatrixException.NotFound("Media not found");
            return Results.Ok(new { deleted_media = new[] { mediaId }, total = 1 });
        });
    }
}
