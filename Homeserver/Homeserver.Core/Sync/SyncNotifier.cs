using System.Collections.Concurrent;
using Homeserver.Core.Observability;

namespace Homeserver.Core.Sync;

/// <summary>
/// Wakes waiting syncs. Each user has a version that every notification for them bumps; a sync reads the
/// version before computing its answer and waits only while it is unchanged, so nothing committed in between
/// is missed. Notifying touches only the users named, so an event costs in proportion to its audience.
/// </summary>
public sealed class SyncNotifier
{
    private sealed class Signal
    {
        public long Version;
        public TaskCompletionSource Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly ConcurrentDictionary<string, Signal> _signals = new();

    public long Version(string userId)
    {
        var s = _signals.GetOrAdd(userId, _ => new Signal());
        lock (s)
            return s.Version;
    }

    /// <summary>Returns when the user's version moves past <paramref name="seenVersion"/>, or at the timeout.</summary>
    public async Task WaitAsync(string userId, long seenVersion, TimeSpan timeout, CancellationToken ct)
    {
        var s = _signals.GetOrAdd(userId, _ => new Signal());
        Task changed;
        lock (s)
        {
            if (s.Version != seenVersion)
                return;
            changed = s.Changed.Task;
        }
        try
        {
            await changed.WaitAsync(timeout, ct);
            HomeserverMetrics.SyncWakeups.Add(1);
        }
        catch (TimeoutException)
        {
            // Nothing arrived in time; the caller answers with an empty sync.
        }
    }

    public void Notify(IEnumerable<string> userIds)
    {
        foreach (var userId in userIds)
            if (_signals.TryGetValue(userId, out var s))
                Bump(s);
    }

    /// <summary>Wakes every waiting sync, for when updates may have been missed (the bus between nodes was cut).</summary>
    public void NotifyAll()
    {
        foreach (var s in _signals.Values)
            Bump(s);
    }

    private static void Bump(Signal s)
    {
        TaskCompletionSource woken;
        lock (s)
        {
            s.Version++;
            woken = s.Changed;
            s.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }
}
