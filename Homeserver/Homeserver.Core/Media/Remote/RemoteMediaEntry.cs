namespace Homeserver.Core.Media.Remote;

/// <summary>A row of <c>remote_media_cache</c>: another server's media held here.</summary>
public sealed class RemoteMediaEntry
{
    public string Origin { get; set; } = "";
    public string MediaId { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string? UploadName { get; set; }
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
    public long CreatedTs { get; set; }
    public long LastAccessTs { get; set; }

    /// <summary>The entry in the shape local media is served from.</summary>
    public MediaRecord ToRecord() => new()
    {
        MediaId = MediaId, ContentType = ContentType, UploadName = UploadName, SizeBytes = SizeBytes, Sha256 = Sha256,
        CreatedTs = CreatedTs, UploadedTs = CreatedTs,
    };
}
