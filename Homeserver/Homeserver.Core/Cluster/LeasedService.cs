using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Cluster;

/// <summary>
/// Runs a background sender only on the node holding its lease. It starts the sender once the lease is taken and
/// renews it from then on. A node that cannot renew in time stops itself rather than the sender: the sender's work
/// is then another node's, and a process whose service manager restarts it comes back as one that waits for the
/// lease. Stopping gives the lease up, so another node takes over at once (a rolling restart). The senders' queues
/// keep their positions in the database, so the node taking over resumes where the last one recorded.
/// </summary>
public sealed class LeasedService(string name, IHostedService inner, Leases leases, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<LeasedService> log)
    : BackgroundService
{
    private bool _started;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var waiting = false;
        while (!await TryHoldAsync(ct))
        {
            if (!waiting)
                log.LogInformation("The {Lease} lease is held by another node; this node takes it if that one stops", name);
            waiting = true;
            await Task.Delay(Leases.RenewInterval, time, ct);
        }
        log.LogInformation("This node holds the {Lease} lease and runs its sender", name);
        await inner.StartAsync(ct);
        _started = true;
        var renewed = time.GetUtcNow();
        while (true)
        {
            await Task.Delay(Leases.RenewInterval, time, ct);
            if (await TryHoldAsync(ct))
                renewed = time.GetUtcNow();
            // Stopped with a margin before the lease can expire, so two nodes never run the sender together.
            else if (time.GetUtcNow() - renewed > Leases.Lifetime - 2 * Leases.RenewInterval)
            {
                log.LogCritical("Could not renew the {Lease} lease in time: stopping this node so that only the node taking it over runs its sender", name);
                lifetime.StopApplication();
                return;
            }
        }
    }

    private async Task<bool> TryHoldAsync(CancellationToken ct)
    {
        try
        {
            return await leases.TryHoldAsync(name, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Could not take or renew the {Lease} lease", name);
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!_started)
            return;
        await inner.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAsync(name, cancellationToken);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not give up the {Lease} lease; another node takes it when it expires", name);
        }
    }
}
