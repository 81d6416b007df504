using Homeserver.Core.Streams;

namespace Homeserver.Core.Ephemeral;

/// <summary>
/// Who is typing through the other nodes, as they publish it: each typing update of a node carries everyone typing in
/// the room through that node, which replaces what that node said before. A node that stops publishing (it died) has
/// its notices end after <see cref="TypingService.MaxTimeout"/>, as a client that stops refreshing does.
/// </summary>
public sealed class RemoteTyping(TimeProvider time) : IStreamSubscriber
{
    private sealed record NodeRoom(IReadOnlyCollection<string> Users, DateTimeOffset Expires);

    // Room, then node, then who types there through that node.
    private readonly Dictionary<string, Dictionary<string, NodeRoom>> _rooms = [];
    private readonly Dictionary<string, long> _changedAt = [];
    private readonly Lock _lock = new();
    private long _position;

    public IReadOnlyCollection<string> Streams => [StreamNames.Typing];

    /// <summary>The position of the last change heard from another node.</summary>
    public long Position
    {
        get { lock (_lock) return _position; }
    }

    public ValueTask OnUpdateAsync(StreamUpdate update, CancellationToken ct)
    {
        if (update.Origin is not { } node || update.RoomId is not { } roomId)
            return ValueTask.CompletedTask;
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var nodes))
                _rooms[roomId] = nodes = [];
            nodes[node] = new NodeRoom(update.Users, time.GetUtcNow() + TypingService.MaxTimeout);
            _changedAt[roomId] = _position = TypingService.NextPosition(_position, time);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The users typing in a room through other nodes, when that changed after <paramref name="since"/>; null otherwise.</summary>
    public IReadOnlyCollection<string>? ChangedSince(string roomId, long since)
    {
        lock (_lock)
        {
            if (!_changedAt.TryGetValue(roomId, out var at) || at <= since)
                return null;
            return Current(roomId);
        }
    }

    /// <summary>The users typing in a room through other nodes.</summary>
    public IReadOnlyCollection<string> Current(string roomId)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var nodes))
                return [];
            var now = time.GetUtcNow();
            return nodes.Values.Where(n => n.Expires > now).SelectMany(n => n.Users).ToHashSet();
        }
    }

    /// <summary>Forgets what nodes that fell silent said; returns the rooms whose typists changed.</summary>
    public IReadOnlyList<string> Expire()
    {
        var changed = new List<string>();
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var (roomId, nodes) in _rooms)
            {
                var silent = nodes.Where(n => n.Value.Expires <= now).Select(n => n.Key).ToList();
                foreach (var node in silent)
                    nodes.Remove(node);
                if (silent.Count > 0)
                {
                    _changedAt[roomId] = _position = TypingService.NextPosition(_position, time);
                    changed.Add(roomId);
                }
            }
        }
        return changed;
    }
}
