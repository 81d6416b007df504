namespace Homeserver.Core.Media.Previews;

/// <summary>A page or image fetched for a preview: where it was found after redirects, its type and its whole body.</summary>
public sealed record FetchedResource(Uri Uri, string ContentType, byte[] Body, string? FileName)
{
    public bool IsImage => ContentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);
    public bool IsHtml => ContentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)
        || ContentType.StartsWith("application/xhtml", StringComparison.OrdinalIgnoreCase);
}
