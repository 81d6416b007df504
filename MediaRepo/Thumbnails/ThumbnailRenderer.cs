using Homeserver.Core.Configuration;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace MediaRepo.Thumbnails;

/// <summary>Turns a decoded image into the encoded thumbnail: orient, resize or crop, strip, encode.</summary>
internal static class ThumbnailRenderer
{
    // Synapse's JPEG quality for thumbnails.
    private static readonly JpegEncoder Jpeg = new() { Quality = 80 };
    // Per-frame palettes: frames of a thumbnail often differ too much for one shared 256-colour table.
    private static readonly GifEncoder Gif = new() { ColorTableMode = GifColorTableMode.Local };

    public static async Task<ThumbnailResult> RenderAsync(Image<Rgba32> image, ThumbnailSizeOptions size, SourceFormat format, CancellationToken ct)
    {
        // Phones store pixels sideways and record the rotation in EXIF; the thumbnail must come out upright
        // because the EXIF that says so is about to be removed.
        image.Mutate(x => x.AutoOrient());
        Resize(image, size);
        MetadataStripper.Strip(image);

        var (encoder, contentType) = ChooseEncoder(image, format);
        using var output = new MemoryStream();
        await image.SaveAsync(output, encoder, ct).ConfigureAwait(false);
        return new ThumbnailResult(output.ToArray(), contentType, image.Width, image.Height);
    }

    private static void Resize(Image<Rgba32> image, ThumbnailSizeOptions size)
    {
        if (ThumbnailSizeSelector.IsCrop(size.Method))
        {
            var target = ThumbnailGeometry.Crop(image.Width, image.Height, size.Width, size.Height);
            if (target == image.Size())
                return;
            if (target.Width == size.Width && target.Height == size.Height)
                // Cover the box, then cut the overflow equally from both sides.
                image.Mutate(x => x.Resize(new ResizeOptions { Size = target, Mode = ResizeMode.Crop, Position = AnchorPositionMode.Center }));
            else
                // The box is bigger than the source: cut the box's shape out of the middle without upscaling.
                image.Mutate(x => x.Crop(new Rectangle((image.Width - target.Width) / 2, (image.Height - target.Height) / 2, target.Width, target.Height)));
        }
        else
        {
            var target = ThumbnailGeometry.Scale(image.Width, image.Height, size.Width, size.Height);
            if (target != image.Size())
                image.Mutate(x => x.Resize(target.Width, target.Height));
        }
    }

    /// <summary>
    /// Synapse's mapping (JPEG and WebP to JPEG, PNG and GIF to PNG), except that a WebP with transparency becomes a
    /// PNG: WebP stickers are common in Matrix and JPEG would paint their transparent parts black.
    /// Several frames only survive to here when an animated thumbnail was asked for.
    /// </summary>
    private static (IImageEncoder Encoder, string ContentType) ChooseEncoder(Image<Rgba32> image, SourceFormat format)
    {
        if (image.Frames.Count > 1)
            return (Gif, "image/gif");
        bool transparent = HasTransparency(image);
        bool jpeg = format == SourceFormat.Jpeg || (format == SourceFormat.Webp && !transparent);
        if (jpeg)
            return (Jpeg, "image/jpeg");
        var png = new PngEncoder
        {
            ColorType = transparent ? PngColorType.RgbWithAlpha : PngColorType.Rgb,
            BitDepth = PngBitDepth.Bit8,
            // Belt and braces with MetadataStripper: write no ancillary chunks at all.
            ChunkFilter = PngChunkFilter.ExcludeAll,
        };
        return (png, "image/png");
    }

    private static bool HasTransparency(Image<Rgba32> image)
    {
        bool found = false;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height && !found; y++)
                foreach (var pixel in rows.GetRowSpan(y))
                    if (pixel.A != 255) { found = true; break; }
        });
        return found;
    }
}
