using System.CommandLine;

namespace Homeserver.Host.Cli;

internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var config = HomeserverCli.ConfigOption();
        var cmd = new Command("check-config", "Validate a config file and exit") { config };
        cmd.SetAction(parse =>
        {
            var path = parse.GetValue(config)!;
            if (!ConfigFileLoading.TryLoad(path, out var options))
                return ConfigFileLoading.BadConfigExitCode;
            Console.WriteLine($"{path}: OK (server_name {options.ServerName}, database {options.Database.Engine})");
            return 0;
        });
        return cmd;
    }
}
