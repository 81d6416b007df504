using Homeserver.Core.Background;
using Homeserver.Core.InboundFederation.Backfill;
using Homeserver.Core.InboundFederation.Edus;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.InboundFederation;

public static class InboundFederationServiceCollectionExtensions
{
    /// <summary>Receiving what other servers push: transactions of PDUs and EDUs, and the events missing before them; backfilling history from them.</summary>
    public static IServiceCollection AddInboundFederation(this IServiceCollection services, bool federationEnabled)
    {
        services.AddSingleton<ReceivedTransactionStore>();
        services.AddSingleton<MissingEventsFetcher>();
        services.AddSingleton<FetchedOutliers>();
        services.AddSingleton<AuthEventsFetcher>();
        services.AddSingleton<GapStateFetcher>();
        services.AddSingleton<InboundPduHandler>();
        services.AddSingleton<BackfillOrderings>();
        services.AddSingleton<RoomBackfiller>();
        services.AddSingleton<IHistoryBackfill>(sp => sp.GetRequiredService<RoomBackfiller>());
        services.AddSingleton<InboundTypingEdu>();
        services.AddSingleton<InboundReceiptEdu>();
        services.AddSingleton<InboundPresenceEdu>();
        services.AddSingleton<InboundDeviceListEdu>();
        services.AddSingleton<InboundToDeviceEdu>();
        services.AddSingleton<InboundEduHandler>();
        services.AddSingleton<InboundTransactionService>();
        if (federationEnabled)
            services.AddPeriodicWork("Received transactions pruning", ReceivedTransactionStore.PruneInterval,
                sp => sp.GetRequiredService<InboundTransactionService>().PruneAsync);
        return services;
    }
}
