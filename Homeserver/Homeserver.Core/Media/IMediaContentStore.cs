namespace Homeserver.Core.Media;

/// <summary>
/// Where media bytes live, addressed by their SHA-256 (hex): the local filesystem by default
/// (<see cref="LocalMediaContentStore"/>), or an S3-compatible object store (<see cref="S3MediaContentStore"/>).
/// </summary>
public interface IMediaContentStore
{
    /// <summary>A new local file to stream an upload into before its hash is known; on the filesystem it lives beside the store so the move is cheap.</summary>
    string NewTempPath();

    /// <summary>Moves or copies a finished temp file into the store under its hash; content already stored under it is kept. The caller deletes the temp file.</summary>
    Task PutAsync(string sha256, string tempPath, CancellationToken ct);

    /// <summary>A seekable read stream (Range requests seek), or null when the content is missing.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct);

    Task<bool> ExistsAsync(string sha256, CancellationToken ct);

    /// <summary>Removes the content; content already gone is no error.</summary>
    Task DeleteAsync(string sha256, CancellationToken ct);
}
