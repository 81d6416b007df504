using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Ephemeral;

/// <summary>
/// Who is typing in which room. Typing is ephemeral, so it lives in memory with its own stream position; a
/// periodic round (<see cref="ExpireAsync"/>) expires notices whose timeout ran out and wakes the rooms' syncs, as
/// an explicit stop would. Each change publishes everyone typing in the room through this node, which is how the
/// other nodes learn it (<see cref="RemoteTyping"/>); what a room shows is both together. The same round tells the
/// relay again of notices that go on (<see cref="IEphemeralRelay.TypingResendInterval"/>), because other servers end a
/// notice they hear nothing more of, while a client refreshing its notice changes nothing here.
/// </summary>
public sealed class TypingService
{
    /// <summary>Clients refresh typing every few seconds; a notice never outlives this, whatever was asked.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(2);
    /// <summary>How often <see cref="ExpireAsync"/> runs: how late an expired notice may end.</summary>
    public static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(1);

    /// <summary>A notice: when it ends, and when the relay was last told of it.</summary>
    private record struct Notice(DateTimeOffset Until, DateTimeOffset Relayed);

    private readonly Dictionary<string, Dictionary<string, Notice>> _rooms = [];
    private readonly Dictionary<string, long> _changedAt = [];
    private readonly Lock _lock = new();
    // Relays of one notice take turns (by stripes of users), so a resend decided before a stop never reaches the relay after it.
    private readonly SemaphoreSlim[] _relayTurns = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly StreamPublisher _writer;
    private readonly RemoteTyping _remote;
    private readonly TimeProvider _time;
    private readonly IEphemeralRelay _relay;
    private long _position;

    public TypingService(StreamPublisher writer, RemoteTyping remote, TimeProvider time, IEphemeralRelay relay)
    {
        _writer = writer;
        _remote = remote;
        _time = time;
        _relay = relay;
    }

    /// <summary>The typing stream's position, this node's changes and those heard from others.</summary>
    public long Position
    {
        get
        {
            lock (_lock)
                return Math.Max(_position, _remote.Position);
        }
    }

    /// <summary>
    /// The position of a change: milliseconds of the clock, and one more than the last when changes come faster, so
    /// a token stays meaningful on another node and after a restart (nodes' clocks agree closely enough for a notice).
    /// </summary>
    internal static long NextPosition(long last, TimeProvider time) => Math.Max(last + 1, time.GetUtcNow().ToUnixTimeMilliseconds());

    public async Task SetAsync(RoomId room, UserId user, bool typing, TimeSpan timeout, CancellationToken ct)
    {
        var (roomId, userId) = (room.ToString(), user.ToString());
        long position;
        IReadOnlyCollection<string> typists;
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var users))
                _rooms[roomId] = users = [];
            // Refreshing an ongoing notice only extends it; only starting or stopping is news for other members.
            bool changed;
            if (typing)
            {
                var now = _time.GetUtcNow();
                changed = !users.TryGetValue(userId, out var ongoing);
                users[userId] = new Notice(now + (timeout > MaxTimeout ? MaxTimeout : timeout), changed ? now : ongoing.Relayed);
            }
            else
                changed = users.Remove(userId);
            if (!changed)
                return;
            position = _changedAt[roomId] = _position = NextPosition(_position, _time);
            typists = [.. users.Keys];
        }
        await WakeRoomAsync(roomId, position, typists);
        await InTurnAsync(roomId, userId, () => _relay.TypingChangedAsync(room, user, typing, ct), ct);
    }

    /// <summary>The users typing in a room, when that changed after <paramref name="since"/>; null otherwise.</summary>
    public IReadOnlyList<string>? ChangedSince(string roomId, long since)
    {
        var remote = _remote.ChangedSince(roomId, since);
        lock (_lock)
        {
            if (remote is null && (!_changedAt.TryGetValue(roomId, out var at) || at <= since))
                return null;
            IEnumerable<string> local = _rooms.TryGetValue(roomId, out var users) ? users.Keys : [];
            return local.Union(remote ?? _remote.Current(roomId)).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Ends the notices whose timeout ran out, and those of nodes that fell silent; tells the relay again of those going on.</summary>
    public async Task ExpireAsync(CancellationToken ct)
    {
        var expired = new List<(string RoomId, long Position, IReadOnlyCollection<string> Typists, List<string> Gone)>();
        var continuing = new List<(string RoomId, string UserId)>();
        var silent = _remote.Expire();
        var resend = _relay.TypingResendInterval;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (roomId, users) in _rooms)
            {
                var gone = users.Where(u => u.Value.Until <= now).Select(u => u.Key).ToList();
                if (resend is { } interval)
                    foreach (var (userId, notice) in users.Where(u => u.Value.Until > now && u.Value.Relayed + interval <= now).ToList())
                    {
                        users[userId] = notice with { Relayed = now };
                        continuing.Add((roomId, userId));
                    }
                if (gone.Count == 0 && !silent.Contains(roomId))
                    continue;
                foreach (var u in gone)
                    users.Remove(u);
                expired.Add((roomId, _changedAt[roomId] = _position = NextPosition(_position, _time), [.. users.Keys], gone));
            }
            foreach (var roomId in silent.Where(r => !_rooms.ContainsKey(r)))
                expired.Add((roomId, _position = NextPosition(_position, _time), [], []));
        }
        foreach (var (roomId, position, typists, gone) in expired)
        {
            await WakeRoomAsync(roomId, position, typists);
            foreach (var user in gone)
                await InTurnAsync(roomId, user, () => _relay.TypingChangedAsync(RoomId.Parse(roomId), UserId.Parse(user), false, ct), ct);
        }
        foreach (var (roomId, user) in continuing)
            await InTurnAsync(roomId, user, () => IsTyping(roomId, user) ? _relay.TypingContinuesAsync(RoomId.Parse(roomId), UserId.Parse(user), ct) : Task.CompletedTask, ct);
    }

    private bool IsTyping(string roomId, string userId)
    {
        lock (_lock)
            return _rooms.TryGetValue(roomId, out var users) && users.ContainsKey(userId);
    }

    private async Task InTurnAsync(string roomId, string userId, Func<Task> relay, CancellationToken ct)
    {
        var turn = _relayTurns[(uint)HashCode.Combine(roomId, userId) % (uint)_relayTurns.Length];
        await turn.WaitAsync(ct);
        try
        {
            await relay();
        }
        finally
        {
            turn.Release();
        }
    }

    // The update names everyone typing in the room through this node: other nodes replace what they knew of it.
    private Task WakeRoomAsync(string roomId, long position, IReadOnlyCollection<string> typists) =>
        _writer.PublishAsync(new StreamUpdate(StreamNames.Typing, position, typists) { RoomId = roomId, ToRoomMembers = true });
}
