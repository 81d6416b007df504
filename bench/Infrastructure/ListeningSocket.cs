using System.Globalization;

namespace Homeserver.Bench.Infrastructure;

/// <summary>
/// Whether a process itself listens on a TCP port, from /proc: a probe answered on the port proves only that
/// something listens there, and on a shared machine that can be another program that took the port first.
/// </summary>
public static class ListeningSocket
{
    private const string Listen = "0A";

    public static bool IsHeldBy(int pid, int port)
    {
        var inodes = ListeningInodes(port);
        if (inodes.Count == 0)
            return false;
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                    return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process has gone, or closed the descriptor while it was read.
        }
        return false;
    }

    /// <summary>Whether anything listens on the port: a process that could not bind it lost it to someone else.</summary>
    public static bool IsInUse(int port) => ListeningInodes(port).Count > 0;

    // Lines of /proc/net/tcp{,6}: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...",
    // the local address as hex "ADDR:PORT".
    private static HashSet<string> ListeningInodes(int port)
    {
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != Listen)
                    continue;
                var local = fields[1];
                if (int.Parse(local[(local.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                    inodes.Add(fields[9]);
            }
        }
        return inodes;
    }
}
