using System.Text.Json;
using System.Text.Json.Serialization;
using Homeserver.Core.Sync;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// What a connection has sent of each room, as of one position: a room it never sent is absent; a room sent
/// <em>live</em> (no <see cref="Sent.Since"/>) is complete up to the position's token; a room that changed while
/// outside every window is complete only up to <see cref="Sent.Since"/>, and gets what it missed from there when it
/// comes back. <see cref="Sent.Config"/> is the room's configuration when sent, so a wider <c>required_state</c> is noticed.
/// </summary>
public sealed class ConnectionRooms
{
    public sealed record Sent(
        [property: JsonPropertyName("s")] string? Since,
        [property: JsonPropertyName("c")] string Config);

    private readonly Dictionary<string, Sent> _rooms;

    private ConnectionRooms(Dictionary<string, Sent> rooms) => _rooms = rooms;

    public static ConnectionRooms Empty() => new(new Dictionary<string, Sent>(StringComparer.Ordinal));

    public static ConnectionRooms FromJson(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, Sent>>(json) ?? new Dictionary<string, Sent>(StringComparer.Ordinal));

    public string ToJson() => JsonSerializer.Serialize(_rooms);

    public ConnectionRooms Copy() => new(new Dictionary<string, Sent>(_rooms, StringComparer.Ordinal));

    public IEnumerable<string> RoomIds => _rooms.Keys;

    public Sent? Get(string roomId) => _rooms.GetValueOrDefault(roomId);

    /// <summary>Where the room's news starts for this connection: <paramref name="live"/> for a live room, its own token otherwise; null when never sent.</summary>
    public SyncToken? From(string roomId, SyncToken? live) =>
        _rooms.TryGetValue(roomId, out var sent) ? sent.Since is { } since ? SyncToken.Parse(since) : live : null;

    public void SentLive(string roomId, string config) => _rooms[roomId] = new Sent(null, config);

    /// <summary>A live room changed outside every window: it keeps what it had up to <paramref name="since"/>.</summary>
    public void FellBehind(string roomId, SyncToken since)
    {
        if (_rooms.TryGetValue(roomId, out var sent) && sent.Since is null)
            _rooms[roomId] = sent with { Since = since.ToString() };
    }

    public bool SameAs(ConnectionRooms other) =>
        _rooms.Count == other._rooms.Count && _rooms.All(kv => other._rooms.TryGetValue(kv.Key, out var o) && o == kv.Value);
}
