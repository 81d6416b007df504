using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Ephemeral;

/// <summary>
/// Who is typing in which room. Typing is ephemeral, so it lives in memory with its own stream position; a
/// periodic round (<see cref="ExpireAsync"/>) expires notices whose timeout ran out and wakes the rooms' syncs, as
/// an explicit stop would.
/// </summary>
public sealed class TypingService
{
    /// <summary>Clients refresh typing every few seconds; a notice never outlives this, whatever was asked.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(2);
    /// <summary>How often <see cref="ExpireAsync"/> runs: how late an expired notice may end.</summary>
    public static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _rooms = [];
    private readonly Dictionary<string, long> _changedAt = [];
    private readonly Lock _lock = new();
    private readonly StreamPublisher _writer;
    private readonly TimeProvider _time;
    private readonly IEphemeralRelay _relay;
    private long _position;

    public TypingService(StreamPublisher writer, TimeProvider time, IEphemeralRelay relay)
    {
        _writer = writer;
        _time = time;
        _relay = relay;
    }

    /// <summary>The typing stream's position; it restarts at zero with the process, which sync tolerates.</summary>
    public long Position
    {
        get { lock (_lock) return _position; }
    }

    public async Task SetAsync(RoomId room, UserId user, bool typing, TimeSpan timeout, CancellationToken ct)
    {
        var (roomId, userId) = (room.ToString(), user.ToString());
        long position;
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var users))
                _rooms[roomId] = users = [];
            // Refreshing an ongoing notice only extends it; only starting or stopping is news for other members.
            var changed = typing ? !users.ContainsKey(userId) : users.Remove(userId);
            if (typing)
                users[userId] = _time.GetUtcNow() + (timeout > MaxTimeout ? MaxTimeout : timeout);
            if (!changed)
                return;
            position = _changedAt[roomId] = ++_position;
        }
        await WakeRoomAsync(roomId, position);
        await _relay.TypingChangedAsync(room, user, typing, ct);
    }

    /// <summary>The users typing in a room, when that changed after <paramref name="since"/>; null otherwise.</summary>
    public IReadOnlyList<string>? ChangedSince(string roomId, long since)
    {
        lock (_lock)
        {
            if (!_changedAt.TryGetValue(roomId, out var at) || at <= since)
                return null;
            return _rooms.TryGetValue(roomId, out var users) ? users.Keys.Order(StringComparer.Ordinal).ToList() : [];
        }
    }

    /// <summary>Ends the notices whose timeout ran out.</summary>
    public async Task ExpireAsync(CancellationToken ct)
    {
        var expired = new List<(string RoomId, long Position, List<string> Users)>();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (roomId, users) in _rooms)
            {
                var gone = users.Where(u => u.Value <= now).Select(u => u.Key).ToList();
                if (gone.Count == 0)
                    continue;
                foreach (var u in gone)
                    users.Remove(u);
                expired.Add((roomId, _changedAt[roomId] = ++_position, gone));
            }
        }
        foreach (var (roomId, position, users) in expired)
        {
            await WakeRoomAsync(roomId, position);
            foreach (var user in users)
                await _relay.TypingChangedAsync(RoomId.Parse(roomId), UserId.Parse(user), false, ct);
        }
    }

    private Task WakeRoomAsync(string roomId, long position) =>
        _writer.PublishAsync(new StreamUpdate(StreamNames.Typing, position, []) { RoomId = roomId, ToRoomMembers = true });
}
