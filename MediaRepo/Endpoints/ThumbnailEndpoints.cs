using Homeserver.Http.Auth;
using System.Globalization;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Media;
using Homeserver.Core.Media.Remote;
using MediaRepo.Thumbnails;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace MediaRepo.Endpoints;

public static class ThumbnailEndpoints
{
    private const int MaxDimension = 10_000;

    public static void Map(IEndpointRouteBuilder app, MediaOptions options)
    {
        // GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}
        app.MapGet("/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}", (HttpContext ctx, string serverName, string mediaId, MediaService media, RemoteMediaCache remote, ThumbnailGenerator generator, CancellationToken ct) =>
            ServeAsync(ctx, serverName, mediaId, media, remote, generator, options, legacyFreeze: null, ct)).RequireAuthorization().AllowGuests();

        if (!options.LegacyUnauthenticatedEndpoints)
            return;
        var freeze = new DateTimeOffset(options.LegacyFreezeDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId} — unauthenticated, frozen media only.
        app.MapGet("/_matrix/media/{version:regex(^(v3|r0)$)}/thumbnail/{serverName}/{mediaId}", (HttpContext ctx, string serverName, string mediaId, MediaService media, RemoteMediaCache remote, ThumbnailGenerator generator, CancellationToken ct) =>
            ServeAsync(ctx, serverName, mediaId, media, remote, generator, options, freeze, ct));
    }

    private static async Task<IResult> ServeAsync(HttpContext ctx, string serverName, string mediaId, MediaService media, RemoteMediaCache remote,
        ThumbnailGenerator generator, MediaOptions options, DateTimeOffset? legacyFreeze, CancellationToken ct)
    {
        var request = Parse(ctx.Request.Query);
        ThumbnailRecord thumb;
        if (media.IsLocal(serverName))
            thumb = await LocalAsync(media, generator, options, serverName, mediaId, request, legacyFreeze, await QuarantineBypass.RequestedAsync(ctx, ct), ct);
        else if (legacyFreeze is null)
            thumb = await remote.GetThumbnailAsync(serverName, mediaId, Size(options, request), fetch: true, ct);
        else
            // A cached remote thumbnail carries no date to hold against the freeze, so only the authenticated endpoint serves it.
            throw MatrixException.NotFound("Media not found (use the authenticated /_matrix/client/v1/media endpoints)");
        var stream = await media.OpenContentAsync(thumb.Sha256, ct) ?? throw MatrixException.NotFound("Thumbnail content is missing");
        var type = MediaHeaders.Apply(ctx.Response, thumb.ContentType, null);
        return Results.Stream(stream, type, entityTag: new EntityTagHeaderValue($"\"{thumb.Sha256}\""));
    }

    /// <summary>A thumbnail request's query: <c>width</c>, <c>height</c>, <c>method</c>, <c>animated</c>, <c>timeout_ms</c>.</summary>
    internal static ThumbnailRequest Parse(IQueryCollection q)
    {
        var width = Dimension(q["width"], "width");
        var height = Dimension(q["height"], "height");
        var method = q["method"].ToString() is { Length: > 0 } m ? m : ThumbnailSizeSelector.Scale;
        if (method is not (ThumbnailSizeSelector.Crop or ThumbnailSizeSelector.Scale))
            throw MatrixException.InvalidParam("method must be crop or scale");
        var animated = q["animated"].ToString() == "true";
        long? timeoutMs = long.TryParse(q["timeout_ms"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
        return new ThumbnailRequest(width, height, method, animated, timeoutMs);
    }

    /// <summary>Our media's thumbnail at the configured size that fits the request, generated and cached on first request.</summary>
    internal static async Task<ThumbnailRecord> LocalAsync(MediaService media, ThumbnailGenerator generator, MediaOptions options, string serverName,
        string mediaId, ThumbnailRequest request, DateTimeOffset? legacyFreeze, bool bypassQuarantine, CancellationToken ct)
    {
        var record = await media.GetReadyAsync(serverName, mediaId, DownloadEndpoints.Wait(request.TimeoutMs), bypassQuarantine, ct);
        DownloadEndpoints.EnsureLegacyAllowed(record, legacyFreeze);
        if (record.SizeBytes > options.MaxThumbnailSourceSize.Bytes)
            throw new MatrixException(413, ErrorCodes.TooLarge, "Media is too large to thumbnail");
        var size = Select(options, request);
        return await media.GetOrCreateThumbnailAsync(record, size.Width, size.Height, size.Method, request.Animated,
            (source, c) => generator.CreateAsync(record, source, size, request.Animated, c), ct);
    }

    /// <summary>
    /// Thumbnails are made, fetched and cached only at the configured sizes, so requests cannot fill the disk with variants.
    /// </summary>
    private static ThumbnailSizeOptions Select(MediaOptions options, ThumbnailRequest request) =>
        ThumbnailSizeSelector.Select(options, request.Width, request.Height, request.Method)
            ?? throw MatrixException.NotFound("No thumbnail sizes are configured");

    private static ThumbnailSizeRequest Size(MediaOptions options, ThumbnailRequest request)
    {
        var size = Select(options, request);
        return new ThumbnailSizeRequest(size.Width, size.Height, size.Method, request.Animated);
    }

    private static int Dimension(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
            throw MatrixException.MissingParam($"Missing {name}");
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= MaxDimension
            ? n
            : throw MatrixException.InvalidParam($"{name} must be an integer between 1 and {MaxDimension}");
    }
}
