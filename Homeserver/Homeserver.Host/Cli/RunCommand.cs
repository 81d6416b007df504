using System.CommandLine;

namespace Homeserver.Host.Cli;

internal static class RunCommand
{
    public static Command Create()
    {
        var config = HomeserverCli.ConfigOption();
        var cmd = new Command("run", "Run the homeserver") { config };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!ConfigFileLoading.TryLoad(parse.GetValue(config)!, out var options))
                return ConfigFileLoading.BadConfigExitCode;
            try
            {
                await using var app = await HomeserverApp.BuildAsync(options, ct: ct);
                await app.RunAsync();
                return 0;
            }
            catch (Exception e) when (StartupFailure.IsOperatorFixable(e))
            {
                return StartupFailure.Report(e);
            }
        });
        return cmd;
    }
}
