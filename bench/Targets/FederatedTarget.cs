namespace Homeserver.Bench.Targets;

/// <summary>
/// Two servers of ours federating: rooms live on the origin, whose users send; the receivers are users of the
/// remote server, syncing there, so every message crosses the server-server API before it is delivered.
/// </summary>
public sealed class FederatedTarget(MatrixTarget origin, string originServerName, MatrixTarget remote) : IChatTarget
{
    public string Name => "federated";

    public Task<IReadOnlyList<BenchRoom>> CreateRoomsAsync(int rooms, int receiversPerRoom, CancellationToken ct) =>
        origin.CreateRoomsAsync(rooms, receiversPerRoom, remote, originServerName, ct);

    public Task SendAsync(BenchRoom room, string messageId, CancellationToken ct) => origin.SendAsync(room, messageId, ct);

    public Task<IAsyncDisposable> ConnectAsync(BenchRoom room, string receiverToken, Transport transport, Action<string> onMessage, CancellationToken ct) =>
        remote.ConnectAsync(room, receiverToken, transport, onMessage, ct);

    // The two targets belong to the scenario that made them.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
