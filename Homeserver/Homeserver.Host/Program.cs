using Homeserver.Host.Cli;

return await HomeserverCli.Build().Parse(args).InvokeAsync();
