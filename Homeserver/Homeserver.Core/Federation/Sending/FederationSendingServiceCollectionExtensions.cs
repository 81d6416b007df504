using Homeserver.Core.Cluster;
using Homeserver.Core.Rooms.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.Federation.Sending;

public static class FederationSendingServiceCollectionExtensions
{
    /// <summary>
    /// The outbound queue: events queued per destination as they are persisted, transactions sent by
    /// <see cref="FederationSender"/>. Registered after the room's own transaction steps, so the step sees the
    /// room's current state as the event leaves it.
    /// </summary>
    public static IServiceCollection AddFederationSending(this IServiceCollection services)
    {
        services.AddSingleton<FederationOutboxStore>();
        services.AddSingleton<FederationPdus>();
        services.AddSingleton<FederationTransactionClient>();
        services.AddSingleton<DestinationBackoff>();
        services.AddSingleton<FederationSender>();
        services.AddSingleton<IFederationContactSignal>(sp => sp.GetRequiredService<FederationSender>());
        services.AddLeasedHostedService("federation_sender", sp => sp.GetRequiredService<FederationSender>());
        services.AddSingleton<IEventTransactionStep, FederationOutboxStep>();
        services.AddSingleton<FederationEduQueue>();
        services.AddSingleton<FederationDestinations>();
        return services;
    }
}
