namespace Homeserver.Core.Media.Previews;

/// <summary>Reads an image's dimensions from its header; the media repository, which holds the image decoders, provides it.</summary>
public interface IImageProbe
{
    /// <summary>Width and height in pixels; null when the bytes are no image it can read.</summary>
    (int Width, int Height)? Measure(byte[] image);
}
