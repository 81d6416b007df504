using Homeserver.Core.Background;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.InboundFederation;

public static class InboundFederationServiceCollectionExtensions
{
    /// <summary>Receiving what other servers push: transactions of PDUs, and the events missing before them.</summary>
    public static IServiceCollection AddInboundFederation(this IServiceCollection services, bool federationEnabled)
    {
        services.AddSingleton<ReceivedTransactionStore>();
        services.AddSingleton<MissingEventsFetcher>();
        services.AddSingleton<FetchedOutliers>();
        services.AddSingleton<AuthEventsFetcher>();
        services.AddSingleton<GapStateFetcher>();
        services.AddSingleton<InboundPduHandler>();
        services.AddSingleton<InboundTransactionService>();
        if (federationEnabled)
            services.AddPeriodicWork("Received transactions pruning", ReceivedTransactionStore.PruneInterval,
                sp => sp.GetRequiredService<InboundTransactionService>().PruneAsync);
        return services;
    }
}
