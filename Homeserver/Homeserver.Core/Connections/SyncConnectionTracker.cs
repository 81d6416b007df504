using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Observability;

namespace Homeserver.Core.Connections;

/// <summary>
/// Which devices are syncing right now: a long poll in progress or an open WebSocket. Presence uses it to
/// tell online from offline, and push delivery to skip devices that receive events through sync anyway.
/// </summary>
public sealed class SyncConnectionTracker(TimeProvider time)
{
    private sealed class DeviceState
    {
        public int Live;
        public int LiveWebSockets;
        public DateTimeOffset LastEnded;
    }

    // Keyed by user first, so the per-user questions never walk other users' devices.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, DeviceState>> _users = new();
    // Syncs in progress per user, over all their devices.
    private readonly ConcurrentDictionary<string, StrongBox<int>> _liveByUser = new();

    /// <summary>Raised when a user's last open WebSocket closes, with the user ID.</summary>
    public event Action<string>? LastWebSocketClosed;

    /// <summary>Raised with the user ID when a user who had no sync in progress on this node begins one.</summary>
    public event Action<string>? UserBeganSyncing;

    /// <summary>Raised with the user ID when a user's last sync in progress on this node ends (before <see cref="LastWebSocketClosed"/>).</summary>
    public event Action<string>? UserStoppedSyncing;

    /// <summary>Marks a device as syncing until the returned handle is disposed.</summary>
    public IDisposable Begin(UserId userId, string deviceId, bool webSocket)
    {
        var user = userId.ToString();
        var state = _users.GetOrAdd(user, _ => new ConcurrentDictionary<string, DeviceState>()).GetOrAdd(deviceId, _ => new DeviceState());
        lock (state)
        {
            state.Live++;
            if (webSocket)
                state.LiveWebSockets++;
        }
        HomeserverMetrics.SyncsActive.Add(1, webSocket ? MetricTags.WebSocket : MetricTags.LongPoll);
        if (Interlocked.Increment(ref _liveByUser.GetOrAdd(user, _ => new StrongBox<int>()).Value) == 1)
            UserBeganSyncing?.Invoke(user);
        return new Handle(this, user, state, webSocket);
    }

    /// <summary>
    /// True while the device has a sync in progress, or finished one less than <paramref name="grace"/> ago
    /// (a long-polling client is between two requests for a moment after each answer).
    /// </summary>
    public bool IsSyncing(string userId, string deviceId, TimeSpan grace)
    {
        if (!_users.TryGetValue(userId, out var devices) || !devices.TryGetValue(deviceId, out var state))
            return false;
        return IsSyncing(state, grace);
    }

    private bool IsSyncing(DeviceState state, TimeSpan grace)
    {
        lock (state)
            return state.Live > 0 || time.GetUtcNow() - state.LastEnded < grace;
    }

    /// <summary>True while any device of the user has a sync in progress or finished one less than <paramref name="grace"/> ago.</summary>
    public bool IsUserSyncing(string userId, TimeSpan grace) =>
        _users.TryGetValue(userId, out var devices) && devices.Values.Any(d => IsSyncing(d, grace));

    /// <summary>The users with a sync in progress on this node.</summary>
    public IReadOnlyList<string> SyncingUsers() => [.. _liveByUser.Where(u => Volatile.Read(ref u.Value.Value) > 0).Select(u => u.Key)];

    private bool HasOpenWebSocket(string userId) =>
        _users.TryGetValue(userId, out var devices) && devices.Values.Any(d => Volatile.Read(ref d.LiveWebSockets) > 0);

    private void End(string userId, DeviceState state, bool webSocket)
    {
        lock (state)
        {
            state.Live--;
            if (webSocket)
                state.LiveWebSockets--;
            state.LastEnded = time.GetUtcNow();
        }
        HomeserverMetrics.SyncsActive.Add(-1, webSocket ? MetricTags.WebSocket : MetricTags.LongPoll);
        if (_liveByUser.TryGetValue(userId, out var live) && Interlocked.Decrement(ref live.Value) == 0)
            UserStoppedSyncing?.Invoke(userId);
        if (webSocket && !HasOpenWebSocket(userId))
            LastWebSocketClosed?.Invoke(userId);
    }

    private sealed class Handle(SyncConnectionTracker owner, string userId, DeviceState state, bool webSocket) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.End(userId, state, webSocket);
        }
    }
}
