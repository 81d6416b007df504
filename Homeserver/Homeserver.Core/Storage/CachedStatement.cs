using Microsoft.Data.Sqlite;

namespace Homeserver.Core.Storage;

/// <summary>
/// A command kept prepared on its connection for one SQL text. Microsoft.Data.Sqlite keeps a command's prepared
/// statements until its text or connection changes, so reusing the object is what spares the prepare.
/// </summary>
internal sealed class CachedStatement(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
{
    /// <summary>A reader still open on it means its statements are mid-step and cannot be bound again.</summary>
    public bool InUse => DataReader is not null;

    /// <summary>Whether the current lease of the connection has used it, and so has something to release.</summary>
    public bool Leased { get; set; }

    /// <summary>Lets go of what the last caller left on it, so the cache holds no parameter values between leases.</summary>
    public void Release()
    {
        DataReader?.Dispose();
        Parameters.Clear();
        Transaction = null;
        Leased = false;
    }
}
