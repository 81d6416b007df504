using Homeserver.Core.Background;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Health;

/// <summary>
/// The health check a load balancer asks: the database answers within <see cref="DatabaseTimeout"/>, SQLite's writer
/// loop runs, no background worker has stopped with an error and no periodic work keeps failing. A change of verdict
/// is logged once, not at every probe.
/// </summary>
public sealed class ServerHealth(Database db, IEnumerable<IHostedService> workers, ILogger<ServerHealth> log)
{
    private static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(5);

    private int _lastHealthy = 1;

    public async Task<HealthReport> CheckAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(DatabaseTimeout);
            try
            {
                await db.PingAsync(timeout.Token);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                problems.Add(timeout.IsCancellationRequested
                    ? $"database: no answer within {DatabaseTimeout.TotalSeconds:0} s"
                    : $"database: {e.GetType().Name}: {e.Message}");
            }
        }
        if (!db.WriterRunning)
            problems.Add("database: the SQLite writer loop has stopped");
        foreach (var worker in workers)
        {
            if (worker is PeriodicWork { IsFailing: true } periodic)
                problems.Add($"{periodic.Name}: its last rounds failed");
            else if (worker is BackgroundService { ExecuteTask.IsFaulted: true } stopped)
                problems.Add($"{stopped.GetType().Name}: stopped with {stopped.ExecuteTask!.Exception!.InnerException?.GetType().Name}");
        }
        var report = new HealthReport(problems);
        if (Interlocked.Exchange(ref _lastHealthy, report.Healthy ? 1 : 0) != (report.Healthy ? 1 : 0))
        {
            if (report.Healthy)
                log.LogInformation("Healthy again");
            else
                log.LogWarning("Unhealthy: {Problems}", string.Join("; ", problems));
        }
        return report;
    }
}
