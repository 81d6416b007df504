using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Background;

public static class PeriodicWorkRegistration
{
    /// <summary>
    /// Runs the round that <paramref name="round"/> picks from the container every <paramref name="interval"/> while the
    /// host runs (<see cref="PeriodicWork"/>). The round's owner is resolved when the host starts, not on first use.
    /// </summary>
    public static IServiceCollection AddPeriodicWork(this IServiceCollection services, string name, TimeSpan interval,
        Func<IServiceProvider, Func<CancellationToken, Task>> round) =>
        services.AddSingleton<IHostedService>(sp => new PeriodicWork(name, interval, round(sp),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PeriodicWork>>()));
}
