namespace Homeserver.Core.Media;

/// <summary>A row of <c>media_thumbnails</c>: one generated thumbnail, cached for every later request.</summary>
public sealed class ThumbnailRecord
{
    public string MediaId { get; set; } = "";
    public int Width { get; set; }
    public int Height { get; set; }
    public string Method { get; set; } = "";
    public bool Animated { get; set; }
    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
}
