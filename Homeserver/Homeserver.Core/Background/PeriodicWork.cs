using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Background;

/// <summary>
/// The one way the server runs periodic work: a hosted service that runs a round every interval from the host's
/// start until it stops, one round at a time. A round that throws is logged with its exception and the next round
/// runs as usual; while rounds keep failing, the failure is logged at most once a minute with how many failed, so
/// a broken disk does not flood the log, and the first round that works again says so.
/// </summary>
public sealed class PeriodicWork(string name, TimeSpan interval, Func<CancellationToken, Task> round, TimeProvider time, ILogger<PeriodicWork> log)
    : BackgroundService
{
    private static readonly TimeSpan RepeatedFailureLogInterval = TimeSpan.FromMinutes(1);

    /// <summary>Failed rounds in a row after which the health check reports the work as failing.</summary>
    private const int FailingAfter = 3;

    private int _failures;

    public string Name => name;

    /// <summary>True while the last few rounds have all failed.</summary>
    public bool IsFailing => Volatile.Read(ref _failures) >= FailingAfter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        var loggedAt = DateTimeOffset.MinValue;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await round(stoppingToken);
                }
                // A round cut short by the host stopping (cancelled, or the database already closing) is no failure.
                catch (Exception) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    var failures = Interlocked.Increment(ref _failures);
                    var now = time.GetUtcNow();
                    if (now - loggedAt >= RepeatedFailureLogInterval)
                    {
                        loggedAt = now;
                        log.LogError(e, "{Work} failed ({Failures} rounds in a row); it runs again every {Interval}", name, failures, interval);
                    }
                    continue;
                }
                if (_failures > 0)
                {
                    log.LogInformation("{Work} works again after {Failures} failed rounds", name, _failures);
                    Volatile.Write(ref _failures, 0);
                    loggedAt = DateTimeOffset.MinValue;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
