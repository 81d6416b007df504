using System.CommandLine;

namespace Homeserver.Host.Cli;

/// <summary>The commands of the one executable; <c>run</c> is the default.</summary>
public static class HomeserverCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Matrix homeserver");
        var run = RunCommand.Create();
        root.Add(run);
        root.Add(GenerateConfigCommand.Create());
        root.Add(GenerateSigningKeyCommand.Create());
        root.Add(RegisterUserCommand.Create());
        root.Add(CheckConfigCommand.Create());
        root.Add(MoveMediaCommand.Create());
        root.Add(BackupCommand.Create());
        // Without a subcommand the server runs, so `Homeserver.Host --config FILE` works as well.
        foreach (var option in run.Options)
            root.Add(option);
        root.Action = run.Action;
        return root;
    }

    public static Option<string> ConfigOption() => new("--config", "-c")
    {
        Description = "Path to the YAML config file",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HOMESERVER_CONFIG") ?? "homeserver.yaml",
    };
}
