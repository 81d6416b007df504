using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Connections;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Presence;

/// <summary>
/// Online, unavailable or offline, per user. Syncing (long polls and WebSockets) keeps a user online, as does
/// setting presence; a periodic sweep (<see cref="SweepAsync"/>) takes users offline once nothing of theirs has synced for
/// <see cref="PresenceOptions.OfflineAfter"/>, and closing the last WebSocket does it at once. Only changes of
/// state or status message are stored on the presence stream, and only users who share a room are woken.
/// On several nodes, whether a user is syncing and when they were last active is what all the nodes say
/// (<see cref="SharedPresenceActivity"/>), and a change another node stored makes this node read the user's presence
/// again before it changes it.
/// </summary>
public sealed class PresenceService : IDisposable
{
    public const string Online = "online";
    public const string Unavailable = "unavailable";
    public const string Offline = "offline";
    public const int MaxStatusMsgLength = 1024;
    /// <summary>How often <see cref="SweepAsync"/> runs: how late past its timeout a user may go offline.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);

    /// <summary>What the server believes of a user who is not offline.</summary>
    private sealed class Live
    {
        public required string State;
        public string? StatusMsg;
        public DateTimeOffset LastSeen;
        /// <summary>Whether the stored presence may differ from <see cref="State"/> and <see cref="StatusMsg"/> (another node changed it).</summary>
        public volatile bool Stale;
        public readonly SemaphoreSlim Writes = new(1, 1);
    }

    private readonly ConcurrentDictionary<string, Live> _live = new();
    private readonly PresenceStore _store;
    private readonly SyncConnectionTracker _connections;
    private readonly TimeProvider _time;
    private readonly PresenceOptions _options;
    private readonly Storage.IncidentalWrites _incidental;
    private readonly CurrentStateStore _current;
    private readonly UserStore _users;
    private readonly ILogger<PresenceService> _log;
    private readonly IPresenceRelay _relay;
    private readonly SharedPresenceActivity _shared;
    private readonly IDisposable _subscription;
    private int _loaded;

    public PresenceService(PresenceStore store, SyncConnectionTracker connections, TimeProvider time, PresenceOptions options,
        Storage.IncidentalWrites incidental, CurrentStateStore current, UserStore users, IPresenceRelay relay, SharedPresenceActivity shared,
        IStreamBus bus, ILogger<PresenceService> log)
    {
        _shared = shared;
        _relay = relay;
        _current = current;
        _users = users;
        _log = log;
        _incidental = incidental;
        _store = store;
        _connections = connections;
        _time = time;
        _options = options;
        _connections.LastWebSocketClosed += OnLastWebSocketClosed;
        _subscription = bus.Subscribe([StreamNames.Presence], OnPresenceStored);
    }

    public bool Enabled => _options.Enabled;

    public static bool IsState(string? s) => s is Online or Unavailable or Offline;

    /// <summary>
    /// A sync began; <paramref name="setPresence"/> is its <c>set_presence</c> (online when absent; offline leaves presence
    /// alone). Incidental to the sync: when the database refuses the change, the sync is answered and the next one tries again.
    /// </summary>
    public Task OnSyncAsync(UserId userId, string? setPresence, CancellationToken ct)
    {
        if (!_options.Enabled || setPresence == Offline)
            return Task.CompletedTask;
        var target = setPresence ?? Online;
        if (!IsState(target))
            throw MatrixException.InvalidParam("set_presence must be one of online, unavailable, offline");
        var now = _time.GetUtcNow();
        if (_live.TryGetValue(userId.ToString(), out var live) && live.State == target && !live.Stale)
        {
            live.LastSeen = now;
            return Task.CompletedTask;
        }
        return _incidental.TryAsync("presence on sync", () => ChangeAsync(userId.ToString(), target, keepStatus: true, statusMsg: null, ct));
    }

    /// <summary>An explicit change of state that keeps the status message (a WebSocket client's <c>set_presence</c> command).</summary>
    public Task AppearAsync(UserId userId, string state, CancellationToken ct) =>
        !_options.Enabled ? Task.CompletedTask
        : IsState(state) ? ChangeAsync(userId.ToString(), state, keepStatus: true, statusMsg: null, ct)
        : throw MatrixException.InvalidParam("presence must be one of online, unavailable, offline");

    /// <summary><c>PUT /presence/{userId}/status</c>.</summary>
    public Task SetAsync(UserId userId, string state, string? statusMsg, CancellationToken ct)
    {
        if (!IsState(state))
            throw MatrixException.InvalidParam("presence must be one of online, unavailable, offline");
        if (statusMsg is { Length: > MaxStatusMsgLength })
            throw MatrixException.InvalidParam($"status_msg is longer than {MaxStatusMsgLength} characters");
        return _options.Enabled ? ChangeAsync(userId.ToString(), state, keepStatus: false, statusMsg, ct) : Task.CompletedTask;
    }

    /// <summary>
    /// The presence another server sent for one of its users. Stored as it says, for the local users sharing a room
    /// with them; their server, not our sweep, takes them offline.
    /// </summary>
    public async Task ReceiveAsync(UserId userId, string state, string? statusMsg, long lastActiveAgo, CancellationToken ct)
    {
        if (!_options.Enabled || !IsState(state) || statusMsg is { Length: > MaxStatusMsgLength })
            return;
        var lastActive = _time.GetUtcNow().ToUnixTimeMilliseconds() - Math.Max(0, lastActiveAgo);
        await _store.PutAsync(userId.ToString(), state, statusMsg, lastActive, ct);
    }

    /// <summary>
    /// <paramref name="userId"/>'s presence as <c>GET /presence/{userId}/status</c> shows it to <paramref name="viewerId"/>.
    /// Presence is for people one shares a room with; strangers learn nothing, not even whether the account exists.
    /// </summary>
    public async Task<JsonObject> GetContentAsync(UserId viewerId, UserId userId, CancellationToken ct)
    {
        if (userId != viewerId && !await _current.ShareARoomAsync(viewerId.ToString(), userId.ToString(), ct))
            throw MatrixException.Forbidden("You do not share a room with this user");
        var row = _options.Enabled ? await _store.GetAsync(userId.ToString(), ct) : null;
        // A user of another server has no account here; their presence row is what we know of them.
        if (row is null && !await _users.ExistsAsync(userId.ToString(), ct))
            throw MatrixException.NotFound("Unknown user");
        return row is null ? new JsonObject { ["presence"] = Offline } : Content(row, await _shared.ReadAsync([row.UserId], ct));
    }

    /// <summary>Presence changes <paramref name="readerId"/> may see, as <c>m.presence</c> events.</summary>
    public async Task<IReadOnlyList<JsonObject>> ChangedForAsync(UserId readerId, long after, long upto, CancellationToken ct)
    {
        if (!_options.Enabled || upto <= after)
            return [];
        return await EventsAsync(await _store.ChangedForReaderAsync(readerId.ToString(), after, upto, ct), ct);
    }

    /// <summary>
    /// The present presence of <paramref name="userIds"/> as <c>m.presence</c> events, for a reader who just came to
    /// share a room with them: an unchanged presence is news to them. A user never seen online is offline, as
    /// <see cref="GetContentAsync"/> shows them.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> CurrentOfAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        if (!_options.Enabled || userIds.Count == 0)
            return [];
        var rows = new List<PresenceStore.Row>();
        var unknown = new List<JsonObject>();
        foreach (var userId in userIds)
            if (await _store.GetAsync(userId, ct) is { } row)
                rows.Add(row);
            else
                unknown.Add(new JsonObject { ["type"] = "m.presence", ["sender"] = userId, ["content"] = new JsonObject { ["presence"] = Offline } });
        return [.. await EventsAsync(rows, ct), .. unknown];
    }

    /// <summary>Everyone's presence changes as <c>m.presence</c> events, for an application service to pick from.</summary>
    public async Task<IReadOnlyList<JsonObject>> ChangedAsync(long after, long upto, CancellationToken ct) =>
        !_options.Enabled || upto <= after ? [] : await EventsAsync(await _store.ChangedAsync(after, upto, ct), ct);

    private async Task<IReadOnlyList<JsonObject>> EventsAsync(IReadOnlyList<PresenceStore.Row> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
            return [];
        var shared = await _shared.ReadAsync(rows.Select(r => r.UserId).ToHashSet(), ct);
        return rows.Select(r => new JsonObject { ["type"] = "m.presence", ["sender"] = r.UserId, ["content"] = Content(r, shared) }).ToList();
    }

    private JsonObject Content(PresenceStore.Row r, IReadOnlyDictionary<string, SharedPresenceActivity.Activity>? shared)
    {
        var now = _time.GetUtcNow();
        var lastActive = r.LastActiveTs;
        if (_live.TryGetValue(r.UserId, out var live))
            lastActive = Math.Max(lastActive, live.LastSeen.ToUnixTimeMilliseconds());
        var elsewhere = shared?.GetValueOrDefault(r.UserId);
        if (elsewhere?.LastActiveAgo is { } ago)
            lastActive = Math.Max(lastActive, (now - ago).ToUnixTimeMilliseconds());
        var content = new JsonObject
        {
            ["presence"] = r.State,
            ["last_active_ago"] = Math.Max(0, now.ToUnixTimeMilliseconds() - lastActive),
            // Active means online and syncing right now, not just marked online a while ago.
            ["currently_active"] = r.State == Online && (_connections.IsUserSyncing(r.UserId, TimeSpan.Zero) || elsewhere?.Syncing == true),
        };
        if (r.StatusMsg is not null)
            content["status_msg"] = r.StatusMsg;
        return content;
    }

    private async Task ChangeAsync(string userId, string state, bool keepStatus, string? statusMsg, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        // A user this node does not hold is as stored, which another node may have changed.
        var live = _live.GetOrAdd(userId, _ => new Live { State = Offline, LastSeen = now, Stale = true });
        await live.Writes.WaitAsync(ct);
        try
        {
            if (live.Stale)
            {
                live.Stale = false;
                var row = await _store.GetAsync(userId, ct);
                (live.State, live.StatusMsg) = row is null ? (Offline, null) : (row.State, row.StatusMsg);
            }
            if (keepStatus)
                statusMsg = live.StatusMsg;
            var lastSeen = live.LastSeen;
            live.LastSeen = now;
            if (live.State == state && live.StatusMsg == statusMsg)
            {
                if (state == Offline)
                    _live.TryRemove(new KeyValuePair<string, Live>(userId, live));
                return;
            }
            await _store.PutAsync(userId, state, statusMsg, now.ToUnixTimeMilliseconds(), ct);
            live.State = state;
            live.StatusMsg = statusMsg;
            if (state == Offline)
                _live.TryRemove(new KeyValuePair<string, Live>(userId, live));
            // Going offline is the end of activity seen earlier; any other change is activity now.
            var lastActiveAgo = state == Offline ? (long)(now - lastSeen).TotalMilliseconds : 0;
            await _relay.ChangedAsync(userId, state, statusMsg, lastActiveAgo, state == Online, ct);
        }
        finally
        {
            live.Writes.Release();
        }
    }

    private void OnLastWebSocketClosed(string userId)
    {
        if (_options.Enabled && !_connections.IsUserSyncing(userId, TimeSpan.Zero))
            _ = GoOfflineAsync(userId);
    }

    // Another node's change, or news that changes may have been missed: what this node holds may be out of date.
    private ValueTask OnPresenceStored(StreamUpdate update, CancellationToken ct)
    {
        if (update.Everyone)
            foreach (var live in _live.Values)
                live.Stale = true;
        else if (update.Origin is not null)
            foreach (var user in update.Users)
                if (_live.TryGetValue(user, out var live))
                    live.Stale = true;
        return ValueTask.CompletedTask;
    }

    private async Task GoOfflineAsync(string userId)
    {
        try
        {
            // Not while a device of theirs syncs on another node.
            if ((await _shared.ReadAsync([userId], CancellationToken.None))?.GetValueOrDefault(userId).Syncing == true)
                return;
            await ChangeAsync(userId, Offline, keepStatus: true, statusMsg: null, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Nothing worse than a user online a little longer: the sweep takes them offline.
            _log.LogWarning(e, "Could not take {UserId} offline when their last WebSocket closed; the presence sweep will", userId);
        }
    }

    /// <summary>Takes offline the users nothing of whose has synced for the configured time.</summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        if (!_options.Enabled)
            return;
        // After a restart, users stored as online are tracked again, so they time out like everyone else.
        if (Interlocked.Exchange(ref _loaded, 1) == 0)
        {
            try
            {
                var loadedAt = _time.GetUtcNow();
                foreach (var row in await _store.NotOfflineAsync(ct))
                    _live.TryAdd(row.UserId, new Live { State = row.State, StatusMsg = row.StatusMsg, LastSeen = loadedAt });
            }
            catch
            {
                Interlocked.Exchange(ref _loaded, 0);
                throw;
            }
        }
        await _shared.RenewAsync(_connections.SyncingUsers(), ct);
        var now = _time.GetUtcNow();
        var cutoff = now - _options.OfflineAfter.Value;
        var idle = _live.Where(u => u.Value.LastSeen < cutoff && !_connections.IsUserSyncing(u.Key, _options.OfflineAfter.Value)).ToList();
        if (idle.Count == 0)
            return;
        var shared = await _shared.ReadAsync(idle.Select(u => u.Key).ToList(), ct);
        foreach (var (userId, live) in idle)
        {
            // Syncing, or lately active, through another node.
            if (shared?.GetValueOrDefault(userId) is { } elsewhere && (elsewhere.Syncing || elsewhere.LastActiveAgo < _options.OfflineAfter.Value))
            {
                live.LastSeen = now - (elsewhere.LastActiveAgo ?? TimeSpan.Zero);
                continue;
            }
            await ChangeAsync(userId, Offline, keepStatus: true, statusMsg: null, ct);
        }
    }

    public void Dispose()
    {
        _connections.LastWebSocketClosed -= OnLastWebSocketClosed;
        _subscription.Dispose();
    }
}
