using System.CommandLine;
using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Host.Cli;

internal static class RegisterUserCommand
{
    public static Command Create()
    {
        var config = HomeserverCli.ConfigOption();
        var user = new Option<string>("--user", "-u") { Description = "Localpart of the new user", Required = true };
        var password = new Option<string>("--password", "-p") { Description = "Password", Required = true };
        var admin = new Option<bool>("--admin") { Description = "Make the user a server admin" };
        var cmd = new Command("register-user", "Create a user directly in the database") { config, user, password, admin };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!ConfigFileLoading.TryLoad(parse.GetValue(config)!, out var options))
                return ConfigFileLoading.BadConfigExitCode;
            try
            {
                await using var app = await HomeserverApp.BuildAsync(options, ct: ct);
                var accounts = app.Services.GetRequiredService<AccountService>();
                var pw = parse.GetValue(password)!;
                accounts.ValidatePassword(pw);
                var (userId, _) = await accounts.CreateAsync(parse.GetValue(user)!, pw, parse.GetValue(admin), login: null, ct);
                Console.WriteLine($"created {userId}{(parse.GetValue(admin) ? " (admin)" : "")}");
                return 0;
            }
            catch (MatrixException e)
            {
                Console.Error.WriteLine($"{e.Errcode}: {e.Message}");
                return 1;
            }
            catch (Exception e) when (StartupFailure.IsOperatorFixable(e))
            {
                return StartupFailure.Report(e);
            }
        });
        return cmd;
    }
}
