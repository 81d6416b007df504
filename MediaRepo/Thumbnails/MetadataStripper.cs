using SixLabors.ImageSharp;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Removes everything but pixels and animation timing before encoding: EXIF carries GPS positions and camera serials,
/// and a thumbnail is served to people the uploader may not have meant to give them to.
/// </summary>
internal static class MetadataStripper
{
    public static void Strip(Image image)
    {
        image.Metadata.ExifProfile = null;
        image.Metadata.IccProfile = null;
        image.Metadata.IptcProfile = null;
        image.Metadata.XmpProfile = null;
        foreach (ImageFrame frame in image.Frames)
        {
            frame.Metadata.ExifProfile = null;
            frame.Metadata.IccProfile = null;
            frame.Metadata.IptcProfile = null;
            frame.Metadata.XmpProfile = null;
        }
        image.Metadata.GetPngMetadata().TextData.Clear();
        image.Metadata.GetGifMetadata().Comments.Clear();
    }
}
