using System.Text;
using Homeserver.Core.Configuration;
using MediaRepo.Thumbnails;
using SixLabors.ImageSharp;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

public sealed class ImageThumbnailerMalformedInputTests
{
    public static TheoryData<string, byte[]> UnsupportedFiles => new()
    {
        { "BMP", TestImages.Bmp(64, 64) },
        { "TIFF", TestImages.Tiff(64, 64) },
        { "SVG", Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>") },
        { "SVG with XML prolog and BOM", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>")] },
        { "plain text", Encoding.UTF8.GetBytes("just some words, héllo wörld\n") },
        { "PDF", Encoding.ASCII.GetBytes("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<< >>\nendobj\n") },
        { "PSD", [.. "8BPS"u8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 64, 0, 0, 0, 64, 0, 8, 0, 3] },
        { "MP4", [0, 0, 0, 0x18, .. "ftypmp42"u8, 0, 0, 0, 0, .. "mp42isom"u8] },
    };

    [Theory]
    [MemberData(nameof(UnsupportedFiles))]
    public async Task CreateAsync_FormatWeDoNotThumbnail_IsUnsupported(string name, byte[] file)
    {
        var error = await TestThumbnailer.FailsAsync(TestThumbnailer.CreateAsync(file, 32, 32, "crop"));

        Assert.True(error.Kind == ThumbnailErrorKind.Unsupported, $"{name}: {error.Kind} {error.Message}");
    }

    public static TheoryData<string, byte[]> InvalidFiles => new()
    {
        { "empty", [] },
        { "random bytes", RandomBytes(4096, seed: 1) },
        { "PNG cut inside IHDR", TestImages.Png(64, 64)[..20] },
        { "PNG cut after IHDR, no IDAT", TestImages.Png(64, 64)[..33] },
        { "PNG signature then garbage", [.. TestImages.Png(64, 64)[..8], .. RandomBytes(200, seed: 2)] },
        { "PNG with bad IHDR CRC", CorruptIhdrCrc(TestImages.Png(64, 64)) },
        { "JPEG cut before the frame header", TestImages.Jpeg(64, 64)[..4] },
        { "JPEG cut inside the headers", CutBeforeScan(TestImages.Jpeg(64, 64)) },
        { "GIF header only", "GIF89a"u8.ToArray() },
        { "GIF cut in the colour table", TestImages.HandMadeGif(10, 10, 1)[..15] },
        { "WebP cut inside the bitstream", TestImages.Webp(TestImages.Solid(64, 64, Color.Red), lossless: true)[..30] },
        { "WebP RIFF header only", "RIFF\u0004\0\0\0WEBP"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public async Task CreateAsync_MalformedImage_IsInvalid(string name, byte[] file)
    {
        var error = await TestThumbnailer.FailsAsync(TestThumbnailer.CreateAsync(file, 32, 32, "crop", animated: true));

        Assert.True(error.Kind == ThumbnailErrorKind.Invalid, $"{name}: {error.Kind} {error.Message} {error.InnerException}");
    }

    public static TheoryData<string, byte[]> FuzzSeeds => new()
    {
        { "png", TestImages.Png(48, 32) },
        { "jpeg", TestImages.Jpeg(48, 32) },
        { "gif", TestImages.AnimatedGif(48, 32, 5, Color.Red, Color.Blue, Color.Lime) },
        { "webp lossless", TestImages.Webp(TestImages.Bands(48, 32, Color.Red, Color.Transparent), lossless: true) },
        { "webp lossy", TestImages.Webp(TestImages.Bands(48, 32, Color.Red, Color.Blue), lossless: false) },
        { "webp animated", new AnimatedWebpBuilder(48, 32).Frame(TestImages.Solid(48, 32, Color.Red)).Frame(TestImages.Solid(16, 16, Color.Blue), 8, 8, lossless: false).Build() },
    };

    /// <summary>
    /// Flipped bytes and truncations of valid files: whatever happens, the only failure a caller ever sees is a
    /// <see cref="ThumbnailException"/>.
    /// </summary>
    [Theory]
    [MemberData(nameof(FuzzSeeds))]
    public async Task CreateAsync_FuzzedImage_FailsOnlyWithThumbnailException(string name, byte[] valid)
    {
        // Small limits keep a mutated header that claims a big-but-allowed size cheap to decode.
        var options = new MediaOptions { MaxImagePixels = 1_000_000 };
        var random = new Random(name.Length * 7919);
        int outcomes = 0;
        for (int i = 0; i < 150; i++)
        {
            byte[] mutated = i % 5 == 4 ? valid[..random.Next(1, valid.Length)] : Flip(valid, random, random.Next(1, 9));
            try
            {
                var result = await TestThumbnailer.CreateAsync(mutated, 32, 32, i % 2 == 0 ? "crop" : "scale", animated: i % 3 == 0, options);
                Assert.NotEmpty(result.Content);
            }
            catch (ThumbnailException e)
            {
                Assert.NotEqual(ThumbnailErrorKind.Timeout, e.Kind);
            }
            outcomes++;
        }
        Assert.Equal(150, outcomes);
    }

    private static byte[] Flip(byte[] valid, Random random, int count)
    {
        var bytes = (byte[])valid.Clone();
        for (int i = 0; i < count; i++)
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        return bytes;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] CorruptIhdrCrc(byte[] png)
    {
        var bytes = (byte[])png.Clone();
        bytes[30] ^= 0xFF;
        return bytes;
    }

    private static byte[] CutBeforeScan(byte[] jpeg)
    {
        int sos = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        return jpeg[..(sos - 10)];
    }
}
