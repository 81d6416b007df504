using Homeserver.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Streams;

/// <summary>
/// On PostgreSQL, where several nodes may write, moves idle writers' positions along several times a second, so
/// a node that writes nothing (or has stopped) does not hold readers back (<see cref="StreamPositions"/>). With
/// one writer the rows never disagree and each round is one small read.
/// </summary>
public sealed class StreamCatchUpWorker(Database db, StreamPositions positions, ILogger<StreamCatchUpWorker> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.Dialect.Engine != DatabaseEngine.Postgres)
            return;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await positions.AnyWriterBehindAsync(stoppingToken))
                    await positions.CatchUpIdleWritersAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Could not move idle stream writers along; readers may lag until the next round");
            }
        }
    }
}
