namespace MediaRepo.Thumbnails;

/// <summary>Why no thumbnail could be made; callers map these to their own responses.</summary>
public enum ThumbnailErrorKind
{
    /// <summary>The bytes are a format we do not decode (BMP, TIFF, SVG, PDF, video, ...).</summary>
    Unsupported,

    /// <summary>The source is over a size, pixel or frame limit; refused before (or while) decoding.</summary>
    TooLarge,

    /// <summary>The bytes claim a supported format but are malformed, truncated or otherwise undecodable.</summary>
    Invalid,

    /// <summary>Decoding and resizing did not finish within the configured thumbnail timeout.</summary>
    Timeout,
}
