using System.Globalization;
using Homeserver.Core.Configuration;

namespace Homeserver.Host;

/// <summary>
/// One server per data directory: two servers on the same files forked room history and missed each other's
/// logouts, since each keeps state in memory (caches, the SQLite writer). The lock is an OS file lock
/// (<see cref="FileShare.None"/>, which .NET takes with <c>flock</c> on Unix), so it ends with the process,
/// even under kill -9, and never goes stale. It covers the data directory on either engine (it holds the signing
/// keys), and the SQLite database, which the config may place outside it.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string LockFileName = "homeserver.lock";
    /// <summary>The holder's process ID, apart from the lock file, which a locked open would not let another process read.</summary>
    public const string PidFileName = "homeserver.pid";

    private readonly List<FileStream> _held;

    private DataDirectoryLock(List<FileStream> held) => _held = held;

    /// <exception cref="IOException">Another process holds the data directory or database.</exception>
    /// <exception cref="UnauthorizedAccessException">The data directory is not writable.</exception>
    public static DataDirectoryLock Acquire(HomeserverOptions options)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        var held = new List<FileStream>();
        try
        {
            held.Add(Hold(dataDir, Path.Combine(dataDir, LockFileName)));
            if (options.Database.Engine == "sqlite")
            {
                var database = options.ResolvePath(options.Database.SqlitePath);
                held.Add(Hold(database, database + ".lock"));
            }
            WritePid(dataDir);
            return new DataDirectoryLock(held);
        }
        catch
        {
            foreach (var stream in held)
                stream.Dispose();
            throw;
        }
    }

    private static FileStream Hold(string what, string lockFile)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"'{what}' is not writable: cannot open its lock file '{lockFile}' ({e.Message})", e);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            throw new IOException($"'{what}' is in use by another homeserver{Holder(lockFile)}: stop it first, or give this server "
                + $"its own data_dir ({lockFile}: {e.Message})", e);
        }
        // Anything else (a read-only file system, say) is not another server: naming the process ID left in the PID
        // file would send the operator after a process that does not hold it.
        catch (IOException e)
        {
            throw new IOException($"'{what}' cannot be locked: cannot open its lock file '{lockFile}' ({e.Message})", e);
        }
    }

    /// <summary>
    /// Whether the open failed because another process holds the lock: on Unix .NET reports flock's
    /// <c>EWOULDBLOCK</c> errno (11 on Linux, 35 on macOS), on Windows a sharing violation.
    /// </summary>
    private static bool IsHeldElsewhere(IOException e) =>
        e.HResult == (OperatingSystem.IsMacOS() ? 35 : 11) || e.HResult == unchecked((int)0x80070020);

    private static string Holder(string lockFile)
    {
        try
        {
            var pid = File.ReadAllText(Path.Combine(Path.GetDirectoryName(lockFile)!, PidFileName)).Trim();
            return int.TryParse(pid, CultureInfo.InvariantCulture, out _) ? $" (process {pid})" : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The directory may hold only the database's lock, or the holder may be replacing the file right now.
            return "";
        }
    }

    // Written aside and moved into place, so a reader never sees half a number; the move also shows the directory
    // itself is writable, which a lock file left by an earlier run does not.
    private static void WritePid(string dataDir)
    {
        var pidFile = Path.Combine(dataDir, PidFileName);
        var temporary = $"{pidFile}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temporary, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            File.Move(temporary, pidFile, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"data directory '{dataDir}' is not writable: cannot write '{pidFile}' ({e.Message})", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public void Dispose()
    {
        foreach (var stream in _held)
            stream.Dispose();
    }
}
