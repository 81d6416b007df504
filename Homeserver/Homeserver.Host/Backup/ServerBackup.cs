using Homeserver.Core.Configuration;
using Microsoft.Data.Sqlite;

namespace Homeserver.Host.Backup;

/// <summary>
/// A consistent copy of what a restore needs, taken while the server runs: the SQLite database through
/// <c>VACUUM INTO</c> (a snapshot that a live writer and its write-ahead log cannot tear), then the keys, the config
/// and its application-service files, and the filesystem media store. Files keep their place relative to
/// <c>data_dir</c>, so the backup folder is itself a data directory; what the config keeps outside it lands under
/// <c>outside/</c>. The database goes first: media copied after it can only be newer than the rows naming it.
/// </summary>
public static class ServerBackup
{
    public const string OutsideFolder = "outside";

    /// <param name="Notes">What the operator must do besides, or where a file outside <c>data_dir</c> was put.</param>
    public sealed record Report(IReadOnlyList<string> Copied, IReadOnlyList<string> Notes);

    public static async Task<Report> TakeAsync(HomeserverOptions options, string configPath, string into, CancellationToken ct)
    {
        if (Directory.Exists(into) && Directory.EnumerateFileSystemEntries(into).Any())
            throw new IOException($"{into} is not empty: a backup goes into a new or empty folder");
        Directory.CreateDirectory(into);
        var copied = new List<string>();
        var notes = new List<string>();
        var dataDir = Path.GetFullPath(options.DataDir);
        string Target(string source)
        {
            var relative = Path.GetRelativePath(dataDir, source);
            if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            {
                relative = Path.Combine(OutsideFolder, Path.GetFileName(source));
                notes.Add($"{source} is outside data_dir: copied as {relative}");
            }
            var target = Path.Combine(into, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            return target;
        }

        if (options.Database.Engine == "sqlite")
        {
            var database = options.ResolvePath(options.Database.SqlitePath);
            if (!File.Exists(database))
                throw new FileNotFoundException($"no SQLite database at {database}", database);
            await SnapshotSqliteAsync(database, Target(database), ct);
            copied.Add(database);
        }
        else
        {
            notes.Add("the database is PostgreSQL: take it with pg_dump --format=custom (see docs/operations.md)");
        }

        var files = new List<string> { options.ResolvedSigningKeyPath, options.ResolvePath(options.Auth.TokenKeyPath), options.ResolvePath(options.Push.VapidKeyPath) };
        files.AddRange(options.AppServiceConfigFiles.Select(options.ResolvePath));
        foreach (var file in files.Where(File.Exists).Distinct(StringComparer.Ordinal))
        {
            File.Copy(file, Target(file));
            copied.Add(file);
        }
        var config = Path.GetFullPath(configPath);
        File.Copy(config, Path.Combine(into, Path.GetFileName(config)), overwrite: true);
        copied.Add(config);

        if (options.Media.Storage == MediaOptions.FilesystemStorage)
        {
            var media = options.ResolvePath(options.Media.StorePath);
            if (Directory.Exists(media))
                copied.Add($"{media} ({await CopyMediaAsync(media, Target(media), ct)} files)");
        }
        else
        {
            notes.Add("media are in the S3 bucket: back it up with the object store's versioning or replication");
        }
        return new Report(copied, notes);
    }

    private static async Task SnapshotSqliteAsync(string database, string target, CancellationToken ct)
    {
        // Read-only, so the copy never takes the writer's lock; VACUUM INTO reads one consistent snapshot.
        var source = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(source);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO $target";
        command.Parameters.AddWithValue("$target", target);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Copies the content-addressed tree, leaving out uploads in progress (<c>tmp</c>).</summary>
    private static async Task<int> CopyMediaAsync(string root, string into, CancellationToken ct)
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] == "tmp")
                continue;
            var target = Path.Combine(into, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var from = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            await using (var to = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                await from.CopyToAsync(to, ct);
            count++;
        }
        return count;
    }
}
