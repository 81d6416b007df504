using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Discovery;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.Federation;

public static class FederationServiceCollectionExtensions
{
    /// <summary>Finding, reaching and signing requests to other homeservers.</summary>
    public static IServiceCollection AddFederationClient(this IServiceCollection services, HomeserverOptions options)
    {
        var caBundle = string.IsNullOrEmpty(options.Federation.ExtraCaBundle) ? null : options.ResolvePath(options.Federation.ExtraCaBundle);
        services.AddSingleton(_ => new FederationHttp(options.Federation, caBundle));
        services.AddSingleton<IServerDns, SystemServerDns>();
        services.AddSingleton<IWellKnownSource, HttpWellKnownSource>();
        services.AddSingleton<ServerResolver>();
        services.AddSingleton<FederationClient>();
        services.AddSingleton<Keys.ServerKeyStore>();
        services.AddSingleton<Keys.ServerKeyFetcher>();
        services.AddSingleton<Keys.NotaryKeyFetcher>();
        services.AddSingleton<Keys.ServerKeyRefresher>();
        services.AddSingleton<Keys.KeyQueryService>();
        return services;
    }
}
