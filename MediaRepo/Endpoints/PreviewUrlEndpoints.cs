using Homeserver.Core.Media.Previews;
using Homeserver.Http.Auth;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

/// <summary>
/// <c>GET /_matrix/client/v1/media/preview_url</c> (authenticated media, v1.11) and the legacy
/// <c>/_matrix/media/{v3,r0}/preview_url</c>. Mapped only when <c>url_preview.enabled</c>, so a server without
/// previews answers 404 <c>M_UNRECOGNIZED</c> as Synapse does.
/// </summary>
public static class PreviewUrlEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        static async Task<IResult> Preview(HttpContext ctx, string? url, long? ts, UrlPreviewService previews, CancellationToken ct) =>
            Results.Json(await previews.PreviewAsync(ctx.GetRequester().UserId, url, ts, ct));

        app.MapGet("/_matrix/client/v1/media/preview_url", Preview).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.UrlPreview);
        app.MapGet("/_matrix/media/{version:regex(^(v3|r0)$)}/preview_url", Preview).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.UrlPreview);
    }
}
