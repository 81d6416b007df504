namespace Homeserver.Core.Configuration;

public sealed class MediaOptions
{
    /// <summary>Directory of stored media, relative to the data directory.</summary>
    public string StorePath { get; set; } = "media";
    public ByteSize MaxUploadSize { get; set; } = new(50L << 20);
    /// <summary>Total bytes one user may store; 0 means no quota.</summary>
    public ByteSize UserQuota { get; set; } = new(0);
}
