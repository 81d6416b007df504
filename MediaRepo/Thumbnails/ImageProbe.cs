using Homeserver.Core.Configuration;
using Homeserver.Core.Media.Previews;
using SixLabors.ImageSharp;

namespace MediaRepo.Thumbnails;

/// <summary>Image dimensions for URL previews, read from the header with the decoders thumbnails use, nothing decoded.</summary>
public sealed class ImageProbe(MediaOptions options) : IImageProbe
{
    private readonly Configuration _configuration = ThumbnailImageConfiguration.Create(options);

    public (int Width, int Height)? Measure(byte[] image)
    {
        try
        {
            using var stream = new MemoryStream(image, writable: false);
            return Image.Identify(_configuration, stream) is { } info ? (info.Width, info.Height) : null;
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidDataException)
        {
            return null;
        }
    }
}
