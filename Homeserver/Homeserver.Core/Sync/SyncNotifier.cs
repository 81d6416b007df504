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

        /// <summary>The last <see cref="Observed"/> pair: a version, and a token read after it.</summary>
        public (long Version, SyncToken Upto)? Seen;
    }

    private readonly ConcurrentDictionary<string, Signal> _signals = new();

    /// <summary>Room → user → how many of the user's waits watch it (<see cref="WatchRoom"/>).</summary>
    private readonly Dictionary<string, Dictionary<string, int>> _watchers = [];

    public long Version(string userId)
    {
        var s = _signals.GetOrAdd(userId, _ => new Signal());
        lock (s)
            return s.Version;
    }

    /// <summary>
    /// Records that <paramref name="upto"/> was read after the user's version was <paramref name="version"/>. News
    /// for the user is notified only once it is readable, so anything for them beyond <paramref name="upto"/> bumps
    /// the version past <paramref name="version"/>.
    /// </summary>
    public void Observed(string userId, long version, SyncToken upto)
    {
        var s = _signals.GetOrAdd(userId, _ => new Signal());
        lock (s)
            s.Seen = (version, upto);
    }

    /// <summary>
    /// Whether nothing for the user can have happened after <paramref name="since"/>: it is the last token observed,
    /// and the version it was observed at is still <paramref name="version"/>. A sync from there would compute an
    /// empty answer however far other users' news moved the streams.
    /// </summary>
    public bool NothingSince(string userId, SyncToken since, long version)
    {
        if (!_signals.TryGetValue(userId, out var s))
            return false;
        lock (s)
            return s.Seen is { } seen && seen.Version == version && s.Version == version && seen.Upto == since;
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

    /// <summary>
    /// Has the room's news wake <paramref name="userId"/> until disposed: a non-member following a world-readable room
    /// through the <c>/events</c> stream while it waits, which no membership or stored peek names.
    /// </summary>
    public IDisposable WatchRoom(string roomId, string userId)
    {
        lock (_watchers)
        {
            if (!_watchers.TryGetValue(roomId, out var users))
                _watchers[roomId] = users = [];
            users[userId] = users.GetValueOrDefault(userId) + 1;
        }
        return new Watch(this, roomId, userId);
    }

    /// <summary>Whether any room is watched, so a waker can skip looking up rooms nobody watches.</summary>
    public bool HasWatchers
    {
        get
        {
            lock (_watchers)
                return _watchers.Count > 0;
        }
    }

    public void NotifyWatchers(string roomId)
    {
        string[] users;
        lock (_watchers)
            users = _watchers.TryGetValue(roomId, out var watching) ? [.. watching.Keys] : [];
        Notify(users);
    }

    private void Unwatch(string roomId, string userId)
    {
        lock (_watchers)
        {
            if (!_watchers.TryGetValue(roomId, out var users) || !users.TryGetValue(userId, out var count))
                return;
            if (count > 1)
                users[userId] = count - 1;
            else if (users.Remove(userId) && users.Count == 0)
                _watchers.Remove(roomId);
        }
    }

    private sealed class Watch(SyncNotifier notifier, string roomId, string userId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                notifier.Unwatch(roomId, userId);
        }
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
