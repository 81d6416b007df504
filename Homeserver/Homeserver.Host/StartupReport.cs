using Homeserver.Core.Configuration;
using Homeserver.Core.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Homeserver.Host;

/// <summary>What an operator checks first in a server's log: who it is, which database it uses and where it listens.</summary>
internal static class StartupReport
{
    public static void Write(IServiceProvider services)
    {
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupReport));
        var identity = services.GetRequiredService<ServerIdentity>();
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        log.LogInformation("Homeserver {ServerName} started on {Database}, listening on {Listeners}; clients are told to use {ClientBaseUrl}",
            identity.ServerName, services.GetRequiredService<Database>().Description, addresses, identity.ClientBaseUrl);
        var registration = services.GetRequiredService<RegistrationOptions>();
        log.LogInformation("Registration {Registration}, rate limits {RateLimits}, presence {Presence}",
            !registration.Enabled ? "off" : registration.RequireToken ? "on with a token" : "open",
            services.GetRequiredService<RateLimitsOptions>().Enabled ? "on" : "off",
            services.GetRequiredService<PresenceOptions>().Enabled ? "on" : "off");
    }
}
