using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Cluster;

/// <summary>
/// Holds an update back until readers can see it. With several writers, readers stand at the lowest position any
/// writer vouches for (<see cref="StreamPositions"/>), so right after node A commits position p a reader can still
/// stand below p while another node's row waits for the periodic catch-up; a sync woken then would find nothing,
/// wait again, and hear of p only at its timeout. Waiting here, and moving idle writers along at once, means a woken
/// sync finds what woke it. A node on PostgreSQL writes under several rows (<see cref="WriterSlots"/>), so the same holds
/// within one node.
/// </summary>
public sealed class StreamVisibility(StreamPositions positions, TimeProvider time, ILogger<StreamVisibility> log)
{
    /// <summary>How long an update waits at most: a write held open this long on some node wakes its readers anyway.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);
    // The fallback for a write in flight on another node, whose commit this node hears of only through the database.
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(2);
    // Longer than a write usually stays in flight, so the catch-up write runs only for rows that will not move by themselves.
    private static readonly TimeSpan CatchUpAfter = TimeSpan.FromMilliseconds(20);

    // Completed and replaced at every commit on this node: an update held back by this node's own write in flight
    // is let through at that write's commit, not at the next retry.
    private TaskCompletionSource _committed = NewSignal();

    /// <summary>Called when a write of this node has committed.</summary>
    public void Committed() => Interlocked.Exchange(ref _committed, NewSignal()).TrySetResult();

    public async Task WhenReadableAsync(IReadOnlyList<StreamUpdate> updates, CancellationToken ct)
    {
        var needed = new Dictionary<string, long>();
        foreach (var u in updates)
        {
            // Push actions ride on the events stream's positions; typing and revocations have none in the database.
            var stream = u.Stream == StreamNames.PushActions ? StreamNames.Events : u.Stream;
            if (u.Position > 0 && StreamNames.Durable.Contains(stream))
                needed[stream] = Math.Max(needed.GetValueOrDefault(stream), u.Position);
        }
        if (needed.Count == 0)
            return;
        var start = time.GetUtcNow();
        while (true)
        {
            var committed = Volatile.Read(ref _committed).Task;
            if (await ReadableAsync(needed, ct))
                return;
            // Idle writers are moved along at every commit (migration 0040), so what stands below is nearly always a
            // write in flight, which a catch-up cannot move. Only one that stays below longer (a write rolled back,
            // or two commits that each skipped the other's row) is moved along here.
            var waited = time.GetUtcNow() - start;
            if (waited >= CatchUpAfter)
            {
                await positions.CatchUpIdleWritersAsync(ct);
                if (await ReadableAsync(needed, ct))
                    return;
            }
            if (waited >= MaxWait)
            {
                log.LogWarning("Readers still stand below {Needed} after {Wait}: a write is held open on some node; waking its readers anyway",
                    string.Join(", ", needed.Select(n => $"{n.Key} {n.Value}")), MaxWait);
                return;
            }
            await Task.WhenAny(committed, Task.Delay(Retry, time, ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task<bool> ReadableAsync(Dictionary<string, long> needed, CancellationToken ct)
    {
        var now = await positions.ReadAsync(ct);
        return needed.All(n => now.Of(n.Key) >= n.Value);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
