namespace Homeserver.Core.Configuration;

public sealed class MediaOptions
{
    public const string FilesystemStorage = "filesystem";
    public const string S3Storage = "s3";

    /// <summary>Directory of stored media, relative to the data directory; with S3 storage it holds only uploads in progress.</summary>
    public string StorePath { get; set; } = "media";
    /// <summary>Where media content lives: <c>filesystem</c> (under <see cref="StorePath"/>) or <c>s3</c> (<see cref="S3"/>).</summary>
    public string Storage { get; set; } = FilesystemStorage;
    public S3Options S3 { get; set; } = new();
    public ByteSize MaxUploadSize { get; set; } = new(50L << 20);
    /// <summary>
    /// Bytes other servers' media (originals and thumbnails) may take in the cache; beyond it the least recently
    /// accessed are evicted. 0 means no cap.
    /// </summary>
    public ByteSize RemoteCacheMaxSize { get; set; } = new(10L << 30);
    /// <summary>Total bytes one user may store; 0 means no quota.</summary>
    public ByteSize UserQuota { get; set; } = new(0);
    /// <summary>Asynchronous uploads (<c>/create</c>) one user may have pending at once.</summary>
    public int MaxPendingUploads { get; set; } = 5;
    /// <summary>How long a <c>/create</c>d media ID waits for its content.</summary>
    public Duration UnusedExpiration { get; set; } = new(TimeSpan.FromHours(24));
    /// <summary>
    /// Serve the legacy unauthenticated <c>/_matrix/media/v3/download</c> and <c>thumbnail</c> endpoints, for media
    /// uploaded before <see cref="LegacyFreezeDate"/> only (the spec v1.11 transition to authenticated media).
    /// </summary>
    public bool LegacyUnauthenticatedEndpoints { get; set; } = true;
    /// <summary>Media uploaded on or after this date (UTC, yyyy-mm-dd) needs the authenticated endpoints.</summary>
    public DateOnly LegacyFreezeDate { get; set; } = new(2024, 9, 4);
    /// <summary>Thumbnail sizes offered; a request gets the closest one that is not smaller.</summary>
    public List<ThumbnailSizeOptions> ThumbnailSizes { get; set; } = [];
    /// <summary>Images with more pixels than this are refused before decoding (decompression bombs).</summary>
    public long MaxImagePixels { get; set; } = 32_000_000;
    /// <summary>Largest source file that is thumbnailed.</summary>
    public ByteSize MaxThumbnailSourceSize { get; set; } = new(50L << 20);
    /// <summary>Time allowed to decode and resize one image.</summary>
    public Duration ThumbnailTimeout { get; set; } = new(TimeSpan.FromSeconds(10));
    /// <summary>Thumbnails made at once; 0 means one per CPU core.</summary>
    public int MaxConcurrentThumbnails { get; set; }
    /// <summary>
    /// Thumbnail requests that may wait for one of those, each for at most <see cref="ThumbnailTimeout"/>; more are
    /// answered 429 at once.
    /// </summary>
    public int MaxQueuedThumbnails { get; set; } = 8;
    /// <summary>ffmpeg binary used for video thumbnails; videos get no thumbnail when it cannot be run.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>The scheduled clean-up of old media; off unless a lifetime is set.</summary>
    public MediaRetentionOptions Retention { get; set; } = new();

    /// <summary>Synapse's defaults, used when the config lists no sizes.</summary>
    public static IReadOnlyList<ThumbnailSizeOptions> DefaultThumbnailSizes { get; } =
    [
        new() { Width = 32, Height = 32, Method = "crop" },
        new() { Width = 96, Height = 96, Method = "crop" },
        new() { Width = 320, Height = 240, Method = "scale" },
        new() { Width = 640, Height = 480, Method = "scale" },
        new() { Width = 800, Height = 600, Method = "scale" },
    ];

    public IReadOnlyList<ThumbnailSizeOptions> EffectiveThumbnailSizes => ThumbnailSizes.Count > 0 ? ThumbnailSizes : DefaultThumbnailSizes;
}
