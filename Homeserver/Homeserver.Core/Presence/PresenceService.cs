using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Connections;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Presence;

/// <summary>
/// Online, unavailable or offline, per user. Syncing (long polls and WebSockets) keeps a user online, as does
/// setting presence; a periodic sweep (<see cref="SweepAsync"/>) takes users offline once nothing of theirs has synced for
/// <see cref="PresenceOptions.OfflineAfter"/>, and closing the last WebSocket does it at once. Only changes of
/// state or status message are stored on the presence stream, and only users who share a room are woken.
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
    private int _loaded;

    public PresenceService(PresenceStore store, SyncConnectionTracker connections, TimeProvider time, PresenceOptions options,
        Storage.IncidentalWrites incidental, CurrentStateStore current, UserStore users, IPresenceRelay relay, ILogger<PresenceService> log)
    {
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
        if (_live.TryGetValue(userId.ToString(), out var live) && live.State == target)
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
        return row is null ? new JsonObject { ["presence"] = Offline } : Content(row);
    }

    /// <summary>Presence changes <paramref name="readerId"/> may see, as <c>m.presence</c> events.</summary>
    public async Task<IReadOnlyList<JsonObject>> ChangedForAsync(UserId readerId, long after, long upto, CancellationToken ct)
    {
        if (!_options.Enabled || upto <= after)
            return [];
        var rows = await _store.ChangedForReaderAsync(readerId.ToString(), after, upto, ct);
        return rows.Select(PresenceEvent).ToList();
    }

    /// <summary>Everyone's presence changes as <c>m.presence</c> events, for an application service to pick from.</summary>
    public async Task<IReadOnlyList<JsonObject>> ChangedAsync(long after, long upto, CancellationToken ct) =>
        !_options.Enabled || upto <= after ? [] : (await _store.ChangedAsync(after, upto, ct)).Select(PresenceEvent).ToList();

    private JsonObject PresenceEvent(PresenceStore.Row r) => new() { ["type"] = "m.presence", ["sender"] = r.UserId, ["content"] = Content(r) };


    private JsonObject Content(PresenceStore.Row r)
    {
        var now = _time.GetUtcNow();
        var lastActive = r.LastActiveTs;
        if (_live.TryGetValue(r.UserId, out var live))
            lastActive = Math.Max(lastActive, live.LastSeen.ToUnixTimeMilliseconds());
        var content = new JsonObject
        {
            ["presence"] = r.State,
            ["last_active_ago"] = Math.Max(0, now.ToUnixTimeMilliseconds() - lastActive),
            // Active means online and syncing right now, not just marked online a while ago.
            ["currently_active"] = r.State == Online && _connections.IsUserSyncing(r.UserId, TimeSpan.Zero),
        };
        if (r.StatusMsg is not null)
            content["status_msg"] = r.StatusMsg;
        return content;
    }

    private async Task ChangeAsync(string userId, string state, bool keepStatus, string? statusMsg, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var live = _live.GetOrAdd(userId, _ => new Live { State = Offline, LastSeen = now });
        await live.Writes.WaitAsync(ct);
        try
        {
            if (keepStatus)
                statusMsg = live.State == Offline && live.StatusMsg is null ? (await _store.GetAsync(userId, ct))?.StatusMsg : live.StatusMsg;
            var lastSeen = live.LastSeen;
            live.LastSeen = now;
            if (live.State == state && live.StatusMsg == statusMsg && live.State != Offline)
                return;
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

    private async Task GoOfflineAsync(string userId)
    {
        try
        {
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
                var now = _time.GetUtcNow();
                foreach (var row in await _store.NotOfflineAsync(ct))
                    _live.TryAdd(row.UserId, new Live { State = row.State, StatusMsg = row.StatusMsg, LastSeen = now });
            }
            catch
            {
                Interlocked.Exchange(ref _loaded, 0);
                throw;
            }
        }
        var cutoff = _time.GetUtcNow() - _options.OfflineAfter.Value;
        foreach (var (userId, live) in _live)
        {
            if (live.LastSeen < cutoff && !_connections.IsUserSyncing(userId, _options.OfflineAfter.Value))
                await ChangeAsync(userId, Offline, keepStatus: true, statusMsg: null, ct);
        }
    }

    public void Dispose() => _connections.LastWebSocketClosed -= OnLastWebSocketClosed;
}
