using SixLabors.ImageSharp;

namespace MediaRepo.Thumbnails;

/// <summary>Output sizes for the two methods. Integer arithmetic, as Synapse's thumbnailer, so results are exact.</summary>
internal static class ThumbnailGeometry
{
    /// <summary>Fit inside the box keeping the aspect ratio; a source that already fits keeps its size.</summary>
    public static Size Scale(int sourceWidth, int sourceHeight, int boxWidth, int boxHeight)
    {
        if (sourceWidth <= boxWidth && sourceHeight <= boxHeight)
            return new Size(sourceWidth, sourceHeight);
        // Whichever side hits the box first limits the scale.
        return (long)boxWidth * sourceHeight < (long)boxHeight * sourceWidth
            ? new Size(boxWidth, Math.Max(1, (int)((long)boxWidth * sourceHeight / sourceWidth)))
            : new Size(Math.Max(1, (int)((long)boxHeight * sourceWidth / sourceHeight)), boxHeight);
    }

    /// <summary>
    /// The crop result: exactly the box when the source covers it; otherwise (never upscaling) the largest
    /// rectangle of the box's aspect ratio that fits in the source.
    /// </summary>
    public static Size Crop(int sourceWidth, int sourceHeight, int boxWidth, int boxHeight)
    {
        if (sourceWidth >= boxWidth && sourceHeight >= boxHeight)
            return new Size(boxWidth, boxHeight);
        return (long)sourceWidth * boxHeight < (long)sourceHeight * boxWidth
            ? new Size(sourceWidth, Math.Max(1, (int)((long)sourceWidth * boxHeight / boxWidth)))
            : new Size(Math.Max(1, (int)((long)sourceHeight * boxWidth / boxHeight)), sourceHeight);
    }
}
