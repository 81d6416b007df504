using Homeserver.Core.Configuration;

namespace MediaRepo.Thumbnails;

/// <summary>The decompression-bomb limits, checked against header values before any pixel is decoded.</summary>
internal static class ThumbnailLimits
{
    /// <summary>No side may exceed this, whatever the pixel count (a 1×30M strip is as useless as it is costly).</summary>
    public const int MaxDimension = 16384;

    /// <summary>
    /// Animated thumbnails keep at most this many frames. Each frame is resized and quantised separately, so frame
    /// count costs time even when frames are tiny; longer animations get a still thumbnail of the first frame.
    /// </summary>
    public const int MaxAnimationFrames = 1000;

    private const int BytesPerPixel = 4; // everything is decoded as Rgba32

    public static void CheckDimensions(int width, int height, MediaOptions options)
    {
        if (width <= 0 || height <= 0)
            throw new ThumbnailException(ThumbnailErrorKind.Invalid, $"The image claims an empty size ({width}x{height}).");
        if (width > MaxDimension || height > MaxDimension || (long)width * height > options.MaxImagePixels)
            throw new ThumbnailException(ThumbnailErrorKind.TooLarge,
                $"The image is {width}x{height}; thumbnails are made of images up to {options.MaxImagePixels} pixels and {MaxDimension} pixels a side.");
    }

    /// <summary>
    /// Whether all frames of an animation may be decoded at once. ImageSharp 2.1 materialises every frame as a full
    /// canvas, so the budget for an animation is the same as for one still image: frames × width × height ≤
    /// <see cref="MediaOptions.MaxImagePixels"/> (32M pixels = 128 MB of Rgba32 by default). A 500×280 GIF may have
    /// 228 frames; a 30000-frame GIF is never decoded beyond its first frame.
    /// </summary>
    public static bool FitsAnimationBudget(int width, int height, int frameCount, MediaOptions options) =>
        frameCount <= MaxAnimationFrames && (long)width * height * frameCount <= options.MaxImagePixels;

    /// <summary>
    /// ImageSharp's per-allocation cap: the largest buffer a legitimate decode needs is one Rgba32 frame of
    /// <see cref="MediaOptions.MaxImagePixels"/> pixels (122 MiB by default), plus slack for codec padding. Anything
    /// bigger means a header lied to the pre-decode checks, and the allocation fails at once instead of paging in
    /// gigabytes.
    /// </summary>
    public static int AllocationLimitMegabytes(MediaOptions options)
    {
        long bytes = Math.Max(1, options.MaxImagePixels) * BytesPerPixel;
        long megabytes = (bytes + (1 << 20) - 1) / (1 << 20) + 1;
        return (int)Math.Clamp(megabytes, 16, 4096);
    }
}
