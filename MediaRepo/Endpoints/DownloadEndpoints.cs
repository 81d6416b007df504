using Homeserver.Http.Auth;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Media;
using Homeserver.Core.Media.Remote;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace MediaRepo.Endpoints;

public static class DownloadEndpoints
{
    public static void Map(IEndpointRouteBuilder app, MediaOptions options)
    {
        // GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}] (authenticated media, v1.11)
        app.MapGet("/_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName?}", (HttpContext ctx, string serverName, string mediaId, string? fileName, long? timeout_ms, MediaService media, RemoteMediaCache remote, CancellationToken ct) =>
            ServeAsync(ctx, media, remote, serverName, mediaId, fileName, timeout_ms, legacyFreeze: null, ct)).RequireAuthorization().AllowGuests();

        if (!options.LegacyUnauthenticatedEndpoints)
            return;
        var freeze = new DateTimeOffset(options.LegacyFreezeDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // GET /_matrix/media/v3/download/{serverName}/{mediaId}[/{fileName}] — unauthenticated, frozen media only.
        app.MapGet("/_matrix/media/{version:regex(^(v3|r0)$)}/download/{serverName}/{mediaId}/{fileName?}", (HttpContext ctx, string serverName, string mediaId, string? fileName, long? timeout_ms, MediaService media, RemoteMediaCache remote, CancellationToken ct) =>
            ServeAsync(ctx, media, remote, serverName, mediaId, fileName, timeout_ms, freeze, ct));
    }

    /// <summary>The spec's default wait for pending media is 20 s, and clients may ask for up to 60 s.</summary>
    internal static TimeSpan Wait(long? timeoutMs) => TimeSpan.FromMilliseconds(Math.Clamp(timeoutMs ?? 20_000, 0, 60_000));

    /// <summary>Legacy endpoints serve only media from before the freeze date; newer media needs authentication.</summary>
    internal static void EnsureLegacyAllowed(MediaRecord record, DateTimeOffset? freeze)
    {
        if (freeze is { } f && record.CreatedTs >= f.ToUnixTimeMilliseconds())
            throw MatrixException.NotFound("Media not found (use the authenticated /_matrix/client/v1/media endpoints)");
    }

    /// <summary>
    /// Our media, or another server's through the cache. The legacy endpoints never make us fetch: what they serve of
    /// other servers is what an authenticated request brought here (before the freeze date, like local media).
    /// </summary>
    internal static Task<MediaRecord> GetAsync(MediaService media, RemoteMediaCache remote, string serverName, string mediaId, long? timeoutMs,
        DateTimeOffset? legacyFreeze, bool bypassQuarantine, CancellationToken ct) =>
        media.IsLocal(serverName)
            ? media.GetReadyAsync(serverName, mediaId, Wait(timeoutMs), bypassQuarantine, ct)
            : remote.GetAsync(serverName, mediaId, fetch: legacyFreeze is null, ct);

    private static async Task<IResult> ServeAsync(HttpContext ctx, MediaService media, RemoteMediaCache remote, string serverName, string mediaId,
        string? fileName, long? timeoutMs, DateTimeOffset? legacyFreeze, CancellationToken ct)
    {
        var record = await GetAsync(media, remote, serverName, mediaId, timeoutMs, legacyFreeze, await QuarantineBypass.RequestedAsync(ctx, ct), ct);
        EnsureLegacyAllowed(record, legacyFreeze);
        var stream = await media.OpenContentAsync(record.Sha256!, ct) ?? throw MatrixException.NotFound("Media content is missing");
        var type = MediaHeaders.Apply(ctx.Response, record.ContentType, fileName ?? record.UploadName);
        // Range requests (video seeking) are answered by the framework: 206 with Content-Range, 416 when unsatisfiable.
        return Results.Stream(stream, type, lastModified: DateTimeOffset.FromUnixTimeMilliseconds(record.UploadedTs!.Value),
            entityTag: new EntityTagHeaderValue($"\"{record.Sha256}\""), enableRangeProcessing: true);
    }
}
