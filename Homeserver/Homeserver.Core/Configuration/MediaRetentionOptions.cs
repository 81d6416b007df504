namespace Homeserver.Core.Configuration;

/// <summary>
/// The scheduled media clean-up (Synapse's <c>media_retention</c>): local media not served for a while, optionally
/// only above a size, and other servers' media cached here. Each lifetime left empty leaves that kind alone.
/// </summary>
public sealed class MediaRetentionOptions
{
    /// <summary>Local media last served (or, never served, uploaded) longer ago than this is deleted.</summary>
    public Duration? LocalMediaLifetime { get; set; }
    /// <summary>Only local media larger than this is deleted by age.</summary>
    public ByteSize LocalMediaMinSize { get; set; } = new(0);
    /// <summary>Cached remote media not used for this long is deleted; it is fetched again when asked for.</summary>
    public Duration? RemoteMediaLifetime { get; set; }
    /// <summary>How often the clean-up runs.</summary>
    public Duration Interval { get; set; } = new(TimeSpan.FromHours(1));
}
