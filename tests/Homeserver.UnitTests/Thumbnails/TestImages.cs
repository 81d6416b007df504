using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Homeserver.UnitTests.Thumbnails;

/// <summary>Test images generated in code, so every test says exactly what its input looks like.</summary>
internal static class TestImages
{
    public static Image<Rgba32> Solid(int width, int height, Color color)
    {
        var image = new Image<Rgba32>(width, height);
        image.Mutate(x => x.BackgroundColor(color));
        return image;
    }

    /// <summary>Vertical bands of the given colours, left to right.</summary>
    public static Image<Rgba32> Bands(int width, int height, params Color[] colors)
    {
        var image = new Image<Rgba32>(width, height);
        var pixels = colors.Select(c => c.ToPixel<Rgba32>()).ToArray();
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                    row[x] = pixels[x * pixels.Length / width];
            }
        });
        return image;
    }

    public static byte[] Png(Image image) => Encode(image, new PngEncoder());

    public static byte[] Png(int width, int height) { using var i = Bands(width, height, Color.Red, Color.Blue); return Png(i); }

    public static byte[] Jpeg(Image image) => Encode(image, new JpegEncoder { Quality = 90 });

    public static byte[] Jpeg(int width, int height) { using var i = Bands(width, height, Color.Red, Color.Blue); return Jpeg(i); }

    public static byte[] Gif(Image image) => Encode(image, new GifEncoder());

    public static byte[] Webp(Image image, bool lossless) =>
        Encode(image, new WebpEncoder { FileFormat = lossless ? WebpFileFormatType.Lossless : WebpFileFormatType.Lossy, Quality = 90 });

    public static byte[] Bmp(int width, int height) { using var i = Bands(width, height, Color.Red); return Encode(i, new SixLabors.ImageSharp.Formats.Bmp.BmpEncoder()); }

    public static byte[] Tiff(int width, int height) { using var i = Bands(width, height, Color.Red); return Encode(i, new SixLabors.ImageSharp.Formats.Tiff.TiffEncoder()); }

    /// <summary>A JPEG whose pixels are stored sideways, with EXIF saying how to show them, plus private EXIF.</summary>
    public static byte[] JpegWithExif(Image image, ushort orientation, string secret)
    {
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        image.Metadata.ExifProfile.SetValue(ExifTag.Artist, secret);
        image.Metadata.ExifProfile.SetValue(ExifTag.ImageDescription, secret);
        return Jpeg(image);
    }

    /// <summary>An animated GIF, one solid colour per frame.</summary>
    public static byte[] AnimatedGif(int width, int height, int delay, params Color[] frames)
    {
        using var image = Solid(width, height, frames[0]);
        foreach (var color in frames.Skip(1))
        {
            using var frame = Solid(width, height, color);
            image.Frames.AddFrame(frame.Frames.RootFrame);
        }
        foreach (var frame in image.Frames)
            frame.Metadata.GetGifMetadata().FrameDelay = delay;
        image.Metadata.GetGifMetadata().RepeatCount = 0;
        return Gif(image);
    }

    /// <summary>
    /// A GIF built byte by byte: a <paramref name="width"/>×<paramref name="height"/> screen and
    /// <paramref name="frames"/> frames of one pixel each, so huge frame counts and screen sizes cost nothing to make.
    /// </summary>
    public static byte[] HandMadeGif(int width, int height, int frames)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        WriteUInt16(gif, width);
        WriteUInt16(gif, height);
        gif.Write([0x80, 0, 0]); // global colour table of 2 entries
        gif.Write([0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF]); // red, blue
        gif.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00]); // loop forever
        for (int i = 0; i < frames; i++)
        {
            gif.Write([0x21, 0xF9, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00]); // 20 ms
            gif.Write([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]); // 1×1 at the origin
            gif.Write([0x02, 0x02, 0x44, 0x01, 0x00]); // LZW: clear, index 0, end
        }
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    /// <summary>Sets a PNG's IHDR size and fixes the chunk CRC, leaving the tiny real IDAT in place.</summary>
    public static byte[] PatchPngSize(byte[] png, uint width, uint height)
    {
        var bytes = (byte[])png.Clone();
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height; CRC over type + 13 data bytes.
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        return bytes;
    }

    /// <summary>Sets the size in a baseline JPEG's SOF0 segment.</summary>
    public static byte[] PatchJpegSize(byte[] jpeg, ushort width, ushort height)
    {
        var bytes = (byte[])jpeg.Clone();
        int sof = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        // FF C0, length (2), precision (1), height (2), width (2)
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), height);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 7), width);
        return bytes;
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    public static byte[] Encode(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    private static void WriteUInt16(Stream s, int value)
    {
        s.WriteByte((byte)value);
        s.WriteByte((byte)(value >> 8));
    }
}
