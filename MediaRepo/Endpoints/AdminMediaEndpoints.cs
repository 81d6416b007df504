using Homeserver.Core.Errors;
using Homeserver.Core.Media;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

/// <summary>The media part of Synapse's admin API, which moderation tools use: deleting media one by one and by age and size.</summary>
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

        // Both paths, as the admin UIs call one or the other; the older one names the server, which must be this one.
        admin.MapPost("/v1/media/delete", (long? before_ts, long? size_gt, bool? keep_profiles, MediaAdminService admin, CancellationToken ct) =>
            DeleteOldAsync(before_ts, size_gt, keep_profiles, admin, ct));
        admin.MapPost("/v1/media/{serverName}/delete", (string serverName, long? before_ts, long? size_gt, bool? keep_profiles, MediaAdminService admin,
            Homeserver.Core.Configuration.ServerIdentity server, CancellationToken ct) =>
            serverName == server.ServerName
                ? DeleteOldAsync(before_ts, size_gt, keep_profiles, admin, ct)
                : throw MatrixException.InvalidParam("Can only delete local media"));

        admin.MapPost("/v1/purge_media_cache", async (long? before_ts, MediaAdminService admin, CancellationToken ct) =>
            Results.Ok(new { deleted = await admin.PurgeRemoteCacheAsync(before_ts ?? throw Missing("before_ts"), ct) }));
    }

    private static async Task<IResult> DeleteOldAsync(long? beforeTs, long? sizeGt, bool? keepProfiles, MediaAdminService admin, CancellationToken ct)
    {
        var deleted = await admin.DeleteOldAsync(beforeTs ?? throw Missing("before_ts"), sizeGt ?? 0, keepProfiles ?? true, ct);
        return Results.Ok(new { deleted_media = deleted, total = deleted.Count });
    }

    internal static MatrixException Missing(string name) => new(400, ErrorCodes.MissingParam, $"Missing integer query parameter '{name}'");
}
