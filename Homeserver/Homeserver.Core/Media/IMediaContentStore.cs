namespace Homeserver.Core.Media;

/// <summary>
/// Where media bytes live, addressed by their SHA-256 (hex). The local filesystem is the default; an
/// S3-compatible store can implement the same four calls.
/// </summary>
public interface IMediaContentStore
{
    /// <summary>A new file to stream an upload into before its hash is known; it lives beside the store so the move is cheap.</summary>
    string NewTempPath();

    /// <summary>Moves a finished temp file into the store under its hash; a file already stored under it is kept.</summary>
    Task PutAsync(string sha256, string tempPath, CancellationToken ct);

    /// <summary>A seekable read stream (Range requests seek), or null when the content is missing.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct);

    Task DeleteAsync(string sha256, CancellationToken ct);
}
