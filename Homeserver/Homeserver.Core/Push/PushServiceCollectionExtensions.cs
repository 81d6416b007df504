using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Homeserver.Core.Keys;
using Homeserver.Core.Observability;
using Homeserver.Core.Outbound;
using Homeserver.Core.Push.Delivery;
using Homeserver.Core.Push.Pushers;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.Push;

public static class PushServiceCollectionExtensions
{
    /// <summary>Pushers and their delivery. The VAPID key is loaded by the caller, like the signing key, so a bad key file fails start-up.</summary>
    public static IServiceCollection AddPushDelivery(this IServiceCollection services, PushOptions options, VapidKey vapidKey)
    {
        services.AddSingleton(vapidKey);
        services.AddSingleton(new OutboundAddressPolicy(options.AllowedIpRanges));
        services.AddSingleton(sp => new GuardedHttpClient(sp.GetRequiredService<OutboundAddressPolicy>(), options.RequestTimeout.Value,
            tracePropagator: sp.GetRequiredService<TrustedTracePropagator>()));
        services.AddSingleton<PusherStore>();
        services.AddSingleton<PusherValidator>();
        services.AddSingleton<PusherService>();
        services.AddSingleton<PendingPushStore>();
        services.AddSingleton<PushEventReader>();
        services.AddSingleton<HttpPushSender>();
        services.AddSingleton<WebPushSender>();
        services.AddSingleton<PushDeliveryWorker>();
        services.AddLeasedHostedService("push", sp => sp.GetRequiredService<PushDeliveryWorker>());
        return services;
    }
}
