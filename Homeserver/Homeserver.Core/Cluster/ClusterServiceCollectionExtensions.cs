using Homeserver.Core.Background;
using Homeserver.Core.Configuration;
using Homeserver.Core.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Cluster;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// The bus: in process on a single node; with <c>redis.enabled</c>, the same bus carried between the nodes
    /// through Redis, with the state they share there. Where a node writes under several rows (PostgreSQL,
    /// <see cref="WriterSlots"/>), updates wait until readers can see them (<see cref="VisibleStreamBus"/>), on a
    /// single node too.
    /// </summary>
    public static IServiceCollection AddStreamBus(this IServiceCollection services, RedisOptions redis)
    {
        services.AddSingleton(redis);
        services.AddSingleton<InProcessStreamBus>();
        services.AddSingleton<StreamVisibility>();
        services.AddSingleton<VisibleStreamBus>();
        if (!redis.Enabled)
        {
            services.AddSingleton<IStreamBus>(sp => sp.GetRequiredService<WriterSlots>().Several
                ? sp.GetRequiredService<VisibleStreamBus>()
                : sp.GetRequiredService<InProcessStreamBus>());
            return services;
        }
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisStreamBus>();
        services.AddSingleton<IStreamBus>(sp => sp.GetRequiredService<RedisStreamBus>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisStreamBus>());
        services.AddSingleton<SharedConnectionSlots>();
        services.AddHostedService(sp => sp.GetRequiredService<SharedConnectionSlots>());
        return services;
    }

    /// <summary>Runs <paramref name="service"/> as a singleton among the nodes: only on the node holding the lease <paramref name="name"/>.</summary>
    public static IServiceCollection AddLeasedHostedService(this IServiceCollection services, string name, Func<IServiceProvider, IHostedService> service)
    {
        services.TryAddSingleton<Leases>();
        services.AddSingleton<IHostedService>(sp => new LeasedService(name, service(sp), sp.GetRequiredService<Leases>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LeasedService>>()));
        return services;
    }

    /// <summary>Periodic work (<see cref="PeriodicWork"/>) that one node at a time runs: the one holding the lease <paramref name="name"/>.</summary>
    public static IServiceCollection AddLeasedPeriodicWork(this IServiceCollection services, string name, TimeSpan interval,
        Func<IServiceProvider, Func<CancellationToken, Task>> round) =>
        services.AddLeasedHostedService(name, sp => new PeriodicWork(name, interval, round(sp), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PeriodicWork>>()));
}
