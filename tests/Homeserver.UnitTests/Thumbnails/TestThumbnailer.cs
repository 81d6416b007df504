using Homeserver.Core.Configuration;
using MediaRepo.Thumbnails;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

/// <summary>Shortcuts for running the thumbnailer on in-memory bytes and looking at the result.</summary>
internal static class TestThumbnailer
{
    public static Task<ThumbnailResult> CreateAsync(byte[] source, int width, int height, string method,
        bool animated = false, MediaOptions? options = null) =>
        new ImageThumbnailer(options ?? new MediaOptions()).CreateAsync(
            new MemoryStream(source, writable: false),
            new ThumbnailSizeOptions { Width = width, Height = height, Method = method },
            animated,
            CancellationToken.None);

    public static Image<Rgba32> Decode(ThumbnailResult result) => Image.Load<Rgba32>(result.Content);

    /// <summary>The format the output bytes really are, to hold ContentType to the truth.</summary>
    public static string SniffedType(ThumbnailResult result) =>
        Image.DetectFormat(result.Content)?.DefaultMimeType ?? "unknown";

    public static bool IsMostly(Rgba32 pixel, Color expected, int tolerance = 60)
    {
        var e = expected.ToPixel<Rgba32>();
        return Math.Abs(pixel.R - e.R) <= tolerance && Math.Abs(pixel.G - e.G) <= tolerance
            && Math.Abs(pixel.B - e.B) <= tolerance && Math.Abs(pixel.A - e.A) <= tolerance;
    }

    public static async Task<ThumbnailException> FailsAsync(Task task) => await Assert.ThrowsAsync<ThumbnailException>(() => task);
}
