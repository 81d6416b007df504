namespace Homeserver.Bench.Targets;

/// <summary>
/// Several nodes of one homeserver: each room's messages are sent through one node and its receivers sync on the
/// next, so with more than one node every delivery crosses the bus between nodes; the rooms are spread over the
/// nodes so each node sends and delivers its share.
/// </summary>
public sealed class ClusterTarget(IReadOnlyList<MatrixTarget> nodes) : IChatTarget
{
    private readonly Dictionary<string, int> _homes = [];

    public string Name => nodes.Count == 1 ? "one node" : $"{nodes.Count} nodes";

    public async Task<IReadOnlyList<BenchRoom>> CreateRoomsAsync(int rooms, int receiversPerRoom, CancellationToken ct)
    {
        var created = await nodes[0].CreateRoomsAsync(rooms, receiversPerRoom, ct);
        Place(created);
        return created;
    }

    /// <summary>Spreads rooms created elsewhere (through any node: they are the same homeserver's) over these nodes.</summary>
    public void Place(IReadOnlyList<BenchRoom> rooms)
    {
        for (var i = 0; i < rooms.Count; i++)
            _homes[rooms[i].Id] = i % nodes.Count;
    }

    public Task SendAsync(BenchRoom room, string messageId, CancellationToken ct) => nodes[_homes[room.Id]].SendAsync(room, messageId, ct);

    public Task<IAsyncDisposable> ConnectAsync(BenchRoom room, string receiverToken, Transport transport, Action<string> onMessage, CancellationToken ct) =>
        nodes[(_homes[room.Id] + 1) % nodes.Count].ConnectAsync(room, receiverToken, transport, onMessage, ct);

    // The node targets belong to the scenario that made them.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
