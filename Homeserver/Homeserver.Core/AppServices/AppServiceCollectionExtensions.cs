using Homeserver.Core.Accounts;
using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Homeserver.Core.Rooms.Directory;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.AppServices;

public static class AppServiceCollectionExtensions
{
    /// <summary>The application services read from their registration files at start, and what serves them.</summary>
    public static IServiceCollection AddAppServices(this IServiceCollection services, IReadOnlyList<AppServiceRegistration> registrations)
    {
        services.AddSingleton(sp => new AppServiceRegistry(registrations, sp.GetRequiredService<ServerIdentity>()));
        services.AddHostedService<AppServiceSenderAccounts>();
        services.AddSingleton<IAliasPolicy, AppServiceAliasPolicy>();
        services.AddSingleton<AppServiceStateStore>();
        services.AddSingleton<AppServiceInterest>();
        services.AddSingleton<AppServiceTransactionExtras>();
        services.AddSingleton<AppServiceClient>();
        services.AddSingleton<AppServiceQueries>();
        services.AddSingleton<AppServiceThirdParty>();
        services.AddSingleton<AppServiceStatus>();
        services.AddSingleton<IUnknownUserQuery>(sp => sp.GetRequiredService<AppServiceQueries>());
        services.AddSingleton<IUnknownAliasQuery>(sp => sp.GetRequiredService<AppServiceQueries>());
        services.AddSingleton<AppServiceSender>();
        services.AddLeasedHostedService("appservice_sender", sp => sp.GetRequiredService<AppServiceSender>());
        return services;
    }
}
