namespace Homeserver.Core.Configuration;

public sealed class ThumbnailSizeOptions
{
    public int Width { get; set; }
    public int Height { get; set; }
    /// <summary><c>crop</c> (fill the box, cutting edges) or <c>scale</c> (fit inside the box).</summary>
    public string Method { get; set; } = "scale";
}
