namespace MediaRepo.Thumbnails;

/// <summary>
/// The one exception type the thumbnail engine lets out for bad input, so callers never have to know
/// ImageSharp's (or ffmpeg's) failure modes.
/// </summary>
public sealed class ThumbnailException(ThumbnailErrorKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ThumbnailErrorKind Kind { get; } = kind;
}
