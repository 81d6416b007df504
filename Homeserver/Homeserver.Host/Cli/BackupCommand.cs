using System.CommandLine;
using Homeserver.Host.Backup;

namespace Homeserver.Host.Cli;

/// <summary><c>backup --to DIR</c>: a consistent copy of a running server's data (<see cref="ServerBackup"/>).</summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var config = HomeserverCli.ConfigOption();
        var to = new Option<string>("--to") { Description = "A new or empty folder for the backup", Required = true };
        var cmd = new Command("backup", "Copy the database (SQLite), keys, config and media while the server runs") { config, to };
        cmd.SetAction(async (parse, ct) =>
        {
            var configPath = parse.GetValue(config)!;
            if (!ConfigFileLoading.TryLoad(configPath, out var options))
                return ConfigFileLoading.BadConfigExitCode;
            try
            {
                var report = await ServerBackup.TakeAsync(options, configPath, parse.GetValue(to)!, ct);
                foreach (var copied in report.Copied)
                    Console.WriteLine($"copied {copied}");
                foreach (var note in report.Notes)
                    Console.WriteLine($"note: {note}");
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                Console.Error.WriteLine($"backup failed: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }
}
