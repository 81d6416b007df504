using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Baselines;

/// <summary>The generator's view of <see cref="BaselineServer"/>: a room is a channel, and nobody needs credentials.</summary>
public sealed class BaselineTarget : IChatTarget
{
    private readonly Uri _baseAddress;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _wsInvoker;
    private readonly HttpClient _http;
    private int _rooms;

    public BaselineTarget(Uri baseAddress, LoopbackConnector connector)
    {
        _baseAddress = baseAddress;
        _handler = connector.CreateHandler();
        _http = new HttpClient(_handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _wsInvoker = new HttpMessageInvoker(connector.CreateHandler());
    }

    public string Name => "baseline";

    public Task<IReadOnlyList<BenchRoom>> CreateRoomsAsync(int rooms, int receiversPerRoom, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BenchRoom>>(Enumerable.Range(0, rooms)
            .Select(_ => new BenchRoom("c" + Interlocked.Increment(ref _rooms), "", Enumerable.Repeat("", receiversPerRoom).ToList()))
            .ToList());

    public async Task SendAsync(BenchRoom room, string messageId, CancellationToken ct)
    {
        using var res = await _http.PostAsync($"/send/{room.Id}", new StringContent(messageId), ct);
        res.EnsureSuccessStatusCode();
    }

    public async Task<IAsyncDisposable> ConnectAsync(BenchRoom room, string receiverToken, Transport transport, Action<string> onMessage, CancellationToken ct)
    {
        if (transport == Transport.WebSocket)
        {
            var ws = new ClientWebSocket();
            ws.Options.KeepAliveInterval = TimeSpan.Zero;
            await ws.ConnectAsync(new UriBuilder(_baseAddress) { Scheme = "ws", Path = $"/ws/{room.Id}" }.Uri, _wsInvoker, ct);
            var buffer = new ArrayBufferWriter<byte>(1024);
            if (!await ReceiverLoop.ReadMessageAsync(ws, buffer, ct))
                throw new WebSocketException("closed before the first frame");
            return ReceiverLoop.Start(async stop =>
            {
                while (await ReceiverLoop.ReadMessageAsync(ws, buffer, stop))
                    onMessage(Encoding.UTF8.GetString(buffer.WrittenSpan));
            }, ct, ws);
        }

        var since = await PollAsync(room, -1, _ => { }, ct);
        return ReceiverLoop.Start(async stop =>
        {
            while (!stop.IsCancellationRequested)
                since = await PollAsync(room, since, onMessage, stop);
        }, ct);
    }

    private async Task<long> PollAsync(BenchRoom room, long since, Action<string> onMessage, CancellationToken ct)
    {
        var lines = (await _http.GetStringAsync($"/poll/{room.Id}?since={since}", ct)).Split('\n');
        foreach (var m in lines.Skip(1))
            if (m.Length > 0)
                onMessage(m);
        return long.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _handler.Dispose();
        _wsInvoker.Dispose();
        return ValueTask.CompletedTask;
    }
}
