using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Renders an animated WebP into full-canvas frames (ImageSharp 2.1 cannot decode animations), following the
/// container spec's disposal and blending rules, with GIF frame metadata so the result can be encoded as a GIF.
/// </summary>
internal static class WebpAnimationDecoder
{
    public static Image<Rgba32> Decode(Stream source, WebpContainer container, int frameCount, Configuration configuration, CancellationToken ct)
    {
        var decoder = new WebpDecoder { IgnoreMetadata = true };
        // The background colour in ANIM is only a hint; like browsers and libwebp's demuxer, start from transparent.
        using var canvas = new Image<Rgba32>(configuration, container.CanvasWidth, container.CanvasHeight);
        Image<Rgba32>? output = null;
        try
        {
            WebpFrame? previous = null;
            foreach (var frame in container.Frames.Take(frameCount))
            {
                ct.ThrowIfCancellationRequested();
                if (frame.X + frame.Width > canvas.Width || frame.Y + frame.Height > canvas.Height)
                    throw new ThumbnailException(ThumbnailErrorKind.Invalid, "Malformed animated WebP: a frame lies outside the canvas.");
                if (previous is { DisposeToBackground: true } p)
                    Clear(canvas, p);

                using (var image = DecodeFrame(source, frame, decoder, configuration, ct))
                    Draw(canvas, image, frame);

                if (output is null)
                    output = canvas.Clone();
                else
                    output.Frames.AddFrame(canvas.Frames.RootFrame);
                var gif = output.Frames[^1].Metadata.GetGifMetadata();
                gif.FrameDelay = frame.DurationMs / 10; // GIF counts in hundredths of a second
                // Every output frame is a complete picture, so nothing of the previous one may show through.
                gif.DisposalMethod = GifDisposalMethod.RestoreToBackground;
                previous = frame;
            }
            output!.Metadata.GetGifMetadata().RepeatCount = container.LoopCount;
            return output;
        }
        catch
        {
            output?.Dispose();
            throw;
        }
    }

    private static Image<Rgba32> DecodeFrame(Stream source, WebpFrame frame, WebpDecoder decoder, Configuration configuration, CancellationToken ct)
    {
        var data = new byte[frame.DataLength];
        source.Position = frame.DataOffset;
        source.ReadExactly(data);
        using var file = new MemoryStream(WebpFrameFile.Build(data, frame.Width, frame.Height), writable: false);
        var image = decoder.Decode<Rgba32>(configuration, file, ct);
        if (image.Width != frame.Width || image.Height != frame.Height)
        {
            image.Dispose();
            throw new ThumbnailException(ThumbnailErrorKind.Invalid, "Malformed animated WebP: a frame's bitstream does not match its declared size.");
        }
        return image;
    }

    private static void Clear(Image<Rgba32> canvas, WebpFrame area) =>
        canvas.ProcessPixelRows(rows =>
        {
            for (int y = area.Y; y < area.Y + area.Height; y++)
                rows.GetRowSpan(y).Slice(area.X, area.Width).Clear();
        });

    private static void Draw(Image<Rgba32> canvas, Image<Rgba32> image, WebpFrame frame) =>
        canvas.ProcessPixelRows(image, (target, source) =>
        {
            for (int y = 0; y < source.Height; y++)
            {
                var from = source.GetRowSpan(y);
                var to = target.GetRowSpan(frame.Y + y).Slice(frame.X, from.Length);
                if (!frame.AlphaBlend)
                {
                    from.CopyTo(to);
                    continue;
                }
                for (int x = 0; x < from.Length; x++)
                    to[x] = Over(from[x], to[x]);
            }
        });

    /// <summary>Non-premultiplied "source over destination", as the WebP container spec defines blending.</summary>
    private static Rgba32 Over(Rgba32 src, Rgba32 dst)
    {
        if (src.A == 255 || dst.A == 0)
            return src;
        if (src.A == 0)
            return dst;
        int dstWeight = dst.A * (255 - src.A) / 255;
        int alpha = src.A + dstWeight;
        return new Rgba32(
            (byte)((src.R * src.A + dst.R * dstWeight) / alpha),
            (byte)((src.G * src.A + dst.G * dstWeight) / alpha),
            (byte)((src.B * src.A + dst.B * dstWeight) / alpha),
            (byte)alpha);
    }
}
