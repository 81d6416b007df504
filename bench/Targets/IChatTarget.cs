namespace Homeserver.Bench.Targets;

public enum Transport { LongPoll, WebSocket }

/// <summary>A room of the benchmark: who sends into it and the receivers' credentials.</summary>
public sealed record BenchRoom(string Id, string SenderToken, IReadOnlyList<string> ReceiverTokens);

/// <summary>
/// What the load generator drives: the homeserver, or a bare baseline server that only relays. The same
/// generator code runs against both, so their figures differ only by what the server does.
/// </summary>
public interface IChatTarget : IAsyncDisposable
{
    string Name { get; }

    Task<IReadOnlyList<BenchRoom>> CreateRoomsAsync(int rooms, int receiversPerRoom, CancellationToken ct);

    Task SendAsync(BenchRoom room, string messageId, CancellationToken ct);

    /// <summary>Connects one receiver and returns once it is caught up; every message body it receives afterwards goes to <paramref name="onMessage"/>.</summary>
    Task<IAsyncDisposable> ConnectAsync(BenchRoom room, string receiverToken, Transport transport, Action<string> onMessage, CancellationToken ct);
}
