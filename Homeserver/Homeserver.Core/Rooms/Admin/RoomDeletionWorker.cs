using Homeserver.Core.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// Runs the scheduled room deletions one at a time, oldest first. It reads them from the database, woken when one is
/// scheduled here and every <see cref="PollInterval"/> for those scheduled on another node, so a deletion interrupted
/// by a restart (still active) is run again: each step of a shutdown can be repeated.
/// </summary>
public sealed class RoomDeletionWorker(RoomDeletionTaskStore tasks, RoomShutdown shutdown, ILogger<RoomDeletionWorker> log) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        if (_wake.CurrentCount > 0)
            return;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Woken by another caller at the same moment; one wake-up is enough.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var pending in await tasks.UnfinishedAsync(stoppingToken))
                    await RunAsync(pending, stoppingToken);
                await _wake.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database failed us; the deletions are still recorded, so look again after a pause.
                log.LogError(e, "Reading the room deletions to run failed");
                try
                {
                    await Task.Delay(PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunAsync(RoomDeletionTaskStore.Pending pending, CancellationToken ct)
    {
        var (task, request) = (pending.Task, pending.Request);
        var roomId = Identifiers.RoomId.Parse(task.RoomId);
        var result = task.Result;
        await tasks.SetAsync(task.DeleteId, RoomDeletionTask.Active, result, null, ct);
        try
        {
            result = await shutdown.RunAsync(roomId, request, async progress =>
            {
                result = progress;
                await tasks.SetAsync(task.DeleteId, RoomDeletionTask.Active, progress, null, ct);
            }, ct);
            await tasks.SetAsync(task.DeleteId, RoomDeletionTask.Complete, result, null, ct);
            log.LogInformation("Deleted room {RoomId} ({DeleteId}): {Kicked} users made to leave, {Failed} could not be", roomId, task.DeleteId,
                result.KickedUsers.Count, result.FailedToKickUsers.Count);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogError(e, "Deleting room {RoomId} ({DeleteId}) failed", roomId, task.DeleteId);
            await tasks.SetAsync(task.DeleteId, RoomDeletionTask.Failed, result, e is MatrixException m ? m.Message : e.Message, CancellationToken.None);
        }
    }
}
