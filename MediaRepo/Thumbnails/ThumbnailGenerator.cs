using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Media;
using Microsoft.Extensions.Logging;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Produces the thumbnail of one stored file: images through <see cref="ImageThumbnailer"/>, videos through
/// their first frame when ffmpeg is available. <see cref="ThumbnailSlots"/> bounds how many are in the works and
/// waiting, so a burst of requests for large images cannot take every thread and the memory of every decode (an
/// abandoned decode keeps its thread).
/// </summary>
public sealed class ThumbnailGenerator(ImageThumbnailer images, VideoFrameExtractor videos, MediaService mediaService, ThumbnailSlots slots,
    ILogger<ThumbnailGenerator> log)
{
    public async Task<(byte[] Content, string ContentType)> CreateAsync(MediaRecord media, Stream source, ThumbnailSizeOptions size, bool animated, CancellationToken ct)
    {
        using var slot = await slots.EnterAsync(ct);
        try
        {
            var result = media.ContentType?.StartsWith("video/", StringComparison.OrdinalIgnoreCase) == true
                ? await FromVideoAsync(media, source, size, ct)
                : await images.CreateAsync(source, size, animated, ct);
            return (result.Content, result.ContentType);
        }
        catch (ThumbnailException e)
        {
            // A thumbnail that took too long says the server is short of capacity; a bad or huge file is the uploader's.
            log.Log(e.Kind == ThumbnailErrorKind.Timeout ? LogLevel.Warning : LogLevel.Information,
                "No thumbnail of {MediaId} ({ContentType}, {SizeBytes} bytes) at {Width}x{Height}: {Kind}: {Reason}",
                media.MediaId, media.ContentType, media.SizeBytes, size.Width, size.Height, e.Kind, e.Message);
            throw e.Kind switch
            {
                ThumbnailErrorKind.TooLarge => new MatrixException(413, ErrorCodes.TooLarge, "Image too large to thumbnail: " + e.Message),
                ThumbnailErrorKind.Timeout => new MatrixException(504, ErrorCodes.Unknown, "Thumbnailing took too long"),
                _ => new MatrixException(400, ErrorCodes.Unknown, "Cannot generate a thumbnail for this media: " + e.Message),
            };
        }
    }

    private async Task<ThumbnailResult> FromVideoAsync(MediaRecord media, Stream source, ThumbnailSizeOptions size, CancellationToken ct)
    {
        if (!await videos.IsAvailableAsync(ct))
        {
            log.LogDebug("No thumbnail of the video {MediaId}: ffmpeg is not installed", media.MediaId);
            throw MatrixException.NotFound("No thumbnail available for videos: ffmpeg is not installed on this server");
        }
        // ffmpeg seeks inside the container, so it needs a file: the stored one when local, else a temporary copy.
        string? temp = null;
        var path = source is FileStream fs ? fs.Name : temp = mediaService.NewScratchPath();
        try
        {
            if (temp is not null)
                await using (var copy = File.Create(temp))
                    await source.CopyToAsync(copy, ct);
            var frame = await videos.ExtractFirstFrameAsync(path, ct);
            if (frame is null)
            {
                log.LogInformation("No thumbnail of the video {MediaId} ({ContentType}): ffmpeg could not read its first frame", media.MediaId, media.ContentType);
                throw MatrixException.NotFound("No thumbnail available: the video's first frame could not be read");
            }
            return await images.CreateAsync(new MemoryStream(frame), size, animated: false, ct);
        }
        finally
        {
            if (temp is not null)
                File.Delete(temp);
        }
    }
}
