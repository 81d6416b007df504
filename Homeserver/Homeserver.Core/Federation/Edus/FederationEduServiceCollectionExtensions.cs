using Homeserver.Core.E2ee;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Presence;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.Federation.Edus;

public static class FederationEduServiceCollectionExtensions
{
    /// <summary>Our users' typing, receipts, presence, devices and cross-signing keys, and to-device messages for other servers' users, queued as EDUs for the servers that share their rooms.</summary>
    public static IServiceCollection AddFederationEdus(this IServiceCollection services)
    {
        services.AddSingleton<EduDestinations>();
        services.AddSingleton(TypingResend.Default);
        services.AddSingleton<IEphemeralRelay, FederationEphemeralRelay>();
        services.AddSingleton<IPresenceRelay, FederationPresenceRelay>();
        services.AddSingleton<IDeviceListRelay, FederationDeviceListRelay>();
        services.AddSingleton<ToDevice.IRemoteToDevice, FederationToDevice>();
        return services;
    }
}
