using Homeserver.Core.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.Admin.Users;

public static class UserAdminServiceCollectionExtensions
{
    /// <summary>Synapse's admin API for accounts, and the deactivation that accounts' own endpoint shares with it.</summary>
    public static IServiceCollection AddUserAdmin(this IServiceCollection services)
    {
        services.AddSingleton<RateLimitOverrides>();
        services.AddHostedService(sp => sp.GetRequiredService<RateLimitOverrides>());
        services.AddSingleton<AdminTargets>();
        services.AddSingleton<AdminUserStore>();
        services.AddSingleton<UserDeactivationService>();
        services.AddSingleton<UserAdminService>();
        services.AddSingleton<UserDeviceAdminService>();
        services.AddSingleton<UserDataAdminService>();
        return services;
    }
}
