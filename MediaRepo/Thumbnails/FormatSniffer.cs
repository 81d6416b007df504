using System.Text.Unicode;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Decides what the stored bytes really are. The uploader's Content-Type is never consulted: a "PNG" may be an SVG
/// with script in it, and each decoder we expose is attack surface.
/// </summary>
internal static class FormatSniffer
{
    private const int HeaderLength = 512;

    /// <summary>Returns the format to decode, or throws Unsupported (a known non-thumbnailable format) or Invalid.</summary>
    public static SourceFormat Detect(Stream source, Configuration decodeConfiguration)
    {
        source.Position = 0;
        var buffer = new byte[HeaderLength];
        int length = source.ReadAtLeast(buffer, HeaderLength, throwOnEndOfStream: false);
        source.Position = 0;
        ReadOnlySpan<byte> header = buffer.AsSpan(0, length);
        if (header.IsEmpty)
            throw new ThumbnailException(ThumbnailErrorKind.Invalid, "The file is empty.");

        IImageFormat? format = Image.DetectFormat(decodeConfiguration, header);
        switch (format)
        {
            case PngFormat: return SourceFormat.Png;
            case JpegFormat: return SourceFormat.Jpeg;
            case GifFormat: return SourceFormat.Gif;
            case WebpFormat: return SourceFormat.Webp;
        }

        // ImageSharp knows more formats (BMP, TIFF, TGA, PBM) than we let it decode: name them, but refuse them.
        IImageFormat? other = Image.DetectFormat(Configuration.Default, header);
        if (other is not null)
            throw Unsupported(other.Name);
        if (KnownUnsupported(header) is { } name)
            throw Unsupported(name);
        if (LooksLikeText(header))
            throw Unsupported("text (SVG, HTML, XML or similar)");
        throw new ThumbnailException(ThumbnailErrorKind.Invalid, "The file is not a recognised image.");
    }

    private static ThumbnailException Unsupported(string name) =>
        new(ThumbnailErrorKind.Unsupported, $"Thumbnails are not made of {name} files.");

    // Formats people upload that no thumbnail is made of; without this they would be reported as corrupt images.
    private static string? KnownUnsupported(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith("%PDF"u8)) return "PDF";
        if (h.StartsWith("8BPS"u8)) return "PSD";
        if (h.Length >= 12 && h[4..8].SequenceEqual("ftyp"u8)) return "ISO media (HEIF, AVIF, MP4, MOV)";
        if (Starts(h, 0x1A, 0x45, 0xDF, 0xA3)) return "Matroska/WebM";
        if (h.StartsWith("OggS"u8)) return "Ogg";
        if (h.StartsWith("RIFF"u8)) return "RIFF (AVI, WAV)";
        if (Starts(h, 0xFF, 0x0A) || Starts(h, 0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20)) return "JPEG XL";
        if (Starts(h, 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20) || Starts(h, 0xFF, 0x4F, 0xFF, 0x51)) return "JPEG 2000";
        if (Starts(h, 0x00, 0x00, 0x01, 0x00)) return "ICO";
        if (Starts(h, 0x1F, 0x8B)) return "gzip (SVGZ)";
        return null;
    }

    private static bool Starts(ReadOnlySpan<byte> header, params ReadOnlySpan<byte> prefix) => header.StartsWith(prefix);

    /// <summary>Valid UTF-8 without control characters other than whitespace: SVG, HTML, JSON, plain text.</summary>
    private static bool LooksLikeText(ReadOnlySpan<byte> header)
    {
        // The header may end in the middle of a multi-byte character; drop up to three trailing bytes of it.
        for (int cut = 0; cut <= Math.Min(3, header.Length - 1); cut++)
        {
            var candidate = header[..^cut];
            if (Utf8.IsValid(candidate))
                return !candidate.ContainsAnyInRange((byte)0x00, (byte)0x08) && !candidate.ContainsAnyInRange((byte)0x0E, (byte)0x1F)
                    && !candidate.Contains((byte)0x7F) && !candidate.Contains((byte)0x0B) && !candidate.Contains((byte)0x0C);
        }
        return false;
    }
}
