namespace Homeserver.Core.Media;

/// <summary>A row of <c>media</c>. <see cref="UploadedTs"/> is null while a <c>/create</c>d ID awaits its content.</summary>
public sealed class MediaRecord
{
    public string MediaId { get; set; } = "";
    public string Uploader { get; set; } = "";
    public string? ContentType { get; set; }
    public string? UploadName { get; set; }
    public long? SizeBytes { get; set; }
    public string? Sha256 { get; set; }
    public long CreatedTs { get; set; }
    public long? UploadedTs { get; set; }
    public long? ExpiresTs { get; set; }
    /// <summary>When the content was last served; null until it first is.</summary>
    public long? LastAccessTs { get; set; }
    /// <summary>The admin who quarantined it: it is then served to nobody but admins who ask for it.</summary>
    public string? QuarantinedBy { get; set; }
    /// <summary>Protected media is never quarantined.</summary>
    public bool SafeFromQuarantine { get; set; }

    public bool IsPending => UploadedTs is null;
}
