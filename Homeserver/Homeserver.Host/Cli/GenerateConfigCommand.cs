using System.CommandLine;
using Homeserver.Host.Configuration;

namespace Homeserver.Host.Cli;

internal static class GenerateConfigCommand
{
    public static Command Create()
    {
        var serverName = new Option<string>("--server-name") { Description = "Domain of user IDs", Required = true };
        var port = new Option<int>("--port") { Description = "Listening port", DefaultValueFactory = _ => 8008 };
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory", DefaultValueFactory = _ => "./data" };
        var database = new Option<string>("--database") { Description = "sqlite or postgres", DefaultValueFactory = _ => "sqlite" };
        database.AcceptOnlyFromAmong("sqlite", "postgres");
        var databaseUri = new Option<string?>("--database-uri") { Description = "Npgsql connection string (postgres)" };
        var cmd = new Command("generate-config", "Print a complete, documented config") { serverName, port, dataDir, database, databaseUri };
        cmd.Validators.Add(r =>
        {
            if (r.GetValue(database) == "postgres" && string.IsNullOrEmpty(r.GetValue(databaseUri)))
                r.AddError("--database-uri is required with --database postgres");
        });
        cmd.SetAction(parse =>
        {
            Console.Write(ConfigTemplate.Render(parse.GetValue(serverName)!, parse.GetValue(port), parse.GetValue(dataDir)!,
                parse.GetValue(database)!, parse.GetValue(databaseUri)));
            return 0;
        });
        return cmd;
    }
}
