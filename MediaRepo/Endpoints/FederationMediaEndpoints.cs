using System.Text;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Media;
using Homeserver.Http.FederationAuth;
using MediaRepo.Thumbnails;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace MediaRepo.Endpoints;

/// <summary>
/// Our media for other servers (spec v1.11): <c>multipart/mixed</c> answers of an empty JSON metadata part and the
/// bytes, streamed from the content store. Only media of this server is served; anything else is 404 <c>M_NOT_FOUND</c>.
/// Here rather than in the Federation project because thumbnails are made here; the X-Matrix check is the same filter.
/// </summary>
public static class FederationMediaEndpoints
{
    public static void Map(IEndpointRouteBuilder app, FederationOptions federation)
    {
        if (!federation.Enabled)
            return;
        var media = app.MapGroup("/_matrix/federation/v1/media").AddEndpointFilter<XMatrixAuthenticationFilter>();

        // GET /_matrix/federation/v1/media/download/{mediaId}
        media.MapGet("/download/{mediaId}", async (string mediaId, long? timeout_ms, MediaService service, ServerIdentity server, CancellationToken ct) =>
        {
            var record = await service.GetReadyAsync(server.ServerName, mediaId, DownloadEndpoints.Wait(timeout_ms), bypassQuarantine: false, ct);
            var content = await service.OpenContentAsync(record.Sha256!, ct) ?? throw MatrixException.NotFound("Media content is missing");
            return Multipart(content, record.ContentType, record.UploadName);
        });

        // GET /_matrix/federation/v1/media/thumbnail/{mediaId}?width=&height=&method=&animated=
        media.MapGet("/thumbnail/{mediaId}", async (HttpContext ctx, string mediaId, MediaService service, ThumbnailGenerator generator, MediaOptions options,
            ServerIdentity server, CancellationToken ct) =>
        {
            var request = ThumbnailEndpoints.Parse(ctx.Request.Query);
            var thumb = await ThumbnailEndpoints.LocalAsync(service, generator, options, server.ServerName, mediaId, request, legacyFreeze: null, bypassQuarantine: false, ct);
            var content = await service.OpenContentAsync(thumb.Sha256, ct) ?? throw MatrixException.NotFound("Thumbnail content is missing");
            return Multipart(content, thumb.ContentType, null);
        });
    }

    /// <summary>
    /// The two parts, the second copied from <paramref name="content"/> as it is read. The part's type and disposition
    /// are rebuilt from parsed values, so nothing an uploader sent can break out of the part's headers.
    /// </summary>
    private static IResult Multipart(Stream content, string? storedType, string? fileName)
    {
        var boundary = Guid.NewGuid().ToString("N");
        var type = storedType is not null && MediaTypeHeaderValue.TryParse(storedType, out var parsed) ? parsed.ToString() : "application/octet-stream";
        var name = fileName is null ? null : new string(fileName.Where(c => !char.IsControl(c)).ToArray());
        var head = Encoding.UTF8.GetBytes(
            $"--{boundary}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n" +
            $"--{boundary}\r\nContent-Type: {type}\r\nContent-Disposition: {MediaHeaders.Disposition(storedType, name)}\r\n\r\n");
        var tail = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        return Results.Stream(async body =>
        {
            await using (content)
            {
                await body.WriteAsync(head);
                await content.CopyToAsync(body);
                await body.WriteAsync(tail);
            }
        }, $"multipart/mixed; boundary={boundary}");
    }
}
