using Homeserver.Http.Auth;
using System.Globalization;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Media;
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
        app.MapGet("/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}", (HttpContext ctx, string serverName, string mediaId, MediaService media, ThumbnailGenerator generator, CancellationToken ct) =>
            ServeAsync(ctx, serverName, mediaId, media, generator, options, legacyFreeze: null, ct)).RequireAuthorization().AllowGuests();

        if (!options.LegacyUnauthenticatedEndpoints)
            return;
        var freeze = new DateTimeOffset(options.LegacyFreezeDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId} — unauthenticated, frozen media only.
        app.MapGet("/_matrix/media/{version:regex(^(v3|r0)$)}/thumbnail/{serverName}/{mediaId}", (HttpContext ctx, string serverName, string mediaId, MediaService media, ThumbnailGenerator generator, CancellationToken ct) =>
            ServeAsync(ctx, serverName, mediaId, media, generator, options, freeze, ct));
    }

    private static async Task<IResult> ServeAsync(HttpContext ctx, string serverName, string mediaId, MediaService media, ThumbnailGenerator generator,
        MediaOptions options, DateTimeOffset? legacyFreeze, CancellationToken ct)
    {
        var q = ctx.Request.Query;
        var width = Dimension(q["width"], "width");
        var height = Dimension(q["height"], "height");
        var method = q["method"].ToString() is { Length: > 0 } m ? m : ThumbnailSizeSelector.Scale;
        if (method is not (ThumbnailSizeSelector.Crop or ThumbnailSizeSelector.Scale))
            throw MatrixException.InvalidParam("method must be crop or scale");
        var animated = q["animated"].ToString() == "true";
        long? timeoutMs = long.TryParse(q["timeout_ms"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;

        var record = await media.GetReadyAsync(serverName, mediaId, DownloadEndpoints.Wait(timeoutMs), await QuarantineBypass.RequestedAsync(ctx, ct), ct);
        DownloadEndpoints.EnsureLegacyAllowed(record, legacyFreeze);
        if (record.SizeBytes > options.MaxThumbnailSourceSize.Bytes)
            throw new MatrixException(413, ErrorCodes.TooLarge, "Media is too large to thumbnail");
        // Thumbnails are made and cached only at the configured sizes, so requests cannot fill the disk with variants.
        var size = ThumbnailSizeSelector.Select(options, width, height, method)
            ?? throw MatrixException.NotFound("No thumbnail sizes are configured");
        var thumb = await media.GetOrCreateThumbnailAsync(record, size.Width, size.Height, size.Method, animated,
            (source, c) => generator.CreateAsync(record, source, size, animated, c), ct);
        var stream = await media.OpenContentAsync(thumb.Sha256, ct) ?? throw MatrixException.NotFound("Thumbnail content is missing");
        var type = MediaHeaders.Apply(ctx.Response, thumb.ContentType, null);
        return Results.Stream(stream, type, entityTag: new EntityTagHeaderValue($"\"{thumb.Sha256}\""));
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
