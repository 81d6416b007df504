namespace Homeserver.Core.Storage;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file in the background. SQLite's automatic
/// checkpoint runs inside the commit that crosses its threshold, on the single writer, with an fsync of the
/// database file: every second or so one send waited for it, and so did every write queued behind it, which
/// made most of the delivery tail (docs/performance.md). A passive checkpoint on its own connection, run as
/// periodic work (<see cref="Database.CheckpointAsync"/>), lets writers and readers go on meanwhile; committed
/// transactions are durable in the log either way.
/// </summary>
internal static class SqliteCheckpointer
{
    /// <summary>Turns the automatic checkpoint off on a connection, since the periodic one does the work.</summary>
    public const string DisableAutomatic = "PRAGMA wal_autocheckpoint=0;";

    public const string Passive = "PRAGMA wal_checkpoint(PASSIVE)";

    /// <summary>Short enough that the log stays small under load (a few MB a second at the throughput ceiling).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
}
