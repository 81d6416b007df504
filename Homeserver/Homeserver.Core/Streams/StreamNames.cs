namespace Homeserver.Core.Streams;

/// <summary>
/// The named streams. Each durable one has its positions in <c>stream_positions</c> (and, on PostgreSQL, a
/// sequence <c>stream_seq_NAME</c> shared by every writer instance, created by a migration: a new stream
/// needs one). Typing lives in memory only; push actions ride on the event stream's positions; session revocations
/// carry no position, nor do rate-limit overrides.
/// </summary>
public static class StreamNames
{
    public const string Events = "events";
    public const string AccountData = "account_data";
    public const string Receipts = "receipts";
    public const string Presence = "presence";
    public const string ToDevice = "to_device";
    public const string DeviceLists = "device_lists";
    public const string StateGroups = "state_groups";
    public const string OneTimeKeys = "e2e_one_time_keys";
    public const string KeyBackupVersions = "room_key_backup_versions";
    public const string Typing = "typing";
    public const string PushActions = "push_actions";
    /// <summary>A user's sessions were revoked: their open syncs must re-check their token.</summary>
    public const string Sessions = "sessions";
    /// <summary>An admin changed a user's rate-limit override: other nodes read it again. No position either.</summary>
    public const string RateLimitOverrides = "ratelimit_overrides";

    /// <summary>The streams whose positions the database allocates.</summary>
    public static readonly IReadOnlyList<string> Durable =
        [Events, AccountData, Receipts, Presence, ToDevice, DeviceLists, StateGroups, OneTimeKeys, KeyBackupVersions];
}
