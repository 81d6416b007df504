using Homeserver.Core.Media;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

public static class UploadEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // POST /_matrix/media/v3/upload
        app.MapPost("/_matrix/media/{version:regex(^(v3|r0)$)}/upload", async (HttpContext ctx, string? filename, MediaService media, CancellationToken ct) =>
        {
            var mxc = await media.UploadAsync(ctx.GetRequester().UserId, ReadUpload(ctx, filename), ct);
            return Results.Ok(new { content_uri = mxc });
        }).RequireAuthorization();

        // POST /_matrix/media/v1/create
        app.MapPost("/_matrix/media/v1/create", async (HttpContext ctx, MediaService media, CancellationToken ct) =>
        {
            var (mxc, expires) = await media.CreatePendingAsync(ctx.GetRequester().UserId, ct);
            return Results.Ok(new { content_uri = mxc, unused_expires_at = expires });
        }).RequireAuthorization();

        // PUT /_matrix/media/v3/upload/{serverName}/{mediaId}
        app.MapPut("/_matrix/media/{version:regex(^(v3|r0)$)}/upload/{serverName}/{mediaId}",
            async (HttpContext ctx, string serverName, string mediaId, string? filename, MediaService media, CancellationToken ct) =>
            {
                await media.UploadToPendingAsync(ctx.GetRequester().UserId, serverName, mediaId, ReadUpload(ctx, filename), ct);
                return Results.Ok(new { });
            }).RequireAuthorization();
    }

    /// <summary>
    /// Lifts the server-wide body limit for this request: uploads are bounded by <c>media.max_upload_size</c>,
    /// counted while streaming, instead.
    /// </summary>
    private static MediaUpload ReadUpload(HttpContext ctx, string? filename)
    {
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null;
        return new MediaUpload(ctx.Request.Body, ctx.Request.ContentLength, ctx.Request.ContentType, string.IsNullOrEmpty(filename) ? null : filename);
    }
}
