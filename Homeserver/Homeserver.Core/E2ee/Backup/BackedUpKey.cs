namespace Homeserver.Core.E2ee.Backup;

/// <summary>One session's key in a backup (spec KeyBackupData); <see cref="SessionData"/> is the encrypted JSON object as text.</summary>
public sealed class BackedUpKey
{
    public string RoomId { get; set; } = "";
    public string SessionId { get; set; } = "";
    public long FirstMessageIndex { get; set; }
    public long ForwardedCount { get; set; }
    public long IsVerified { get; set; }
    public string SessionData { get; set; } = "";

    /// <summary>
    /// The spec's rule for a session already backed up: a verified key beats an unverified one, then the lower
    /// first message index wins, then the lower forwarded count. On a full tie the existing key stays.
    /// </summary>
    public bool Replaces(BackedUpKey existing) =>
        IsVerified != existing.IsVerified ? IsVerified != 0
        : FirstMessageIndex != existing.FirstMessageIndex ? FirstMessageIndex < existing.FirstMessageIndex
        : ForwardedCount < existing.ForwardedCount;
}
