using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Homeserver.Bench.Baselines;

/// <summary>
/// The web stack's ceiling: bare Kestrel relaying messages to WebSocket and long-poll subscribers of a
/// channel, with no persistence, auth or JSON. Runs as its own process (<c>baseline-server PORT</c>) so it is
/// measured like the homeserver.
/// </summary>
public static class BaselineServer
{
    private const int Kept = 1000;

    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.UseWebSockets();
        var channels = new System.Collections.Concurrent.ConcurrentDictionary<string, RelayChannel>();
        RelayChannel Get(string id) => channels.GetOrAdd(id, _ => new RelayChannel());

        app.MapGet("/ready", () => "ok");
        app.MapPost("/send/{channel}", async (string channel, HttpRequest req) =>
        {
            using var reader = new StreamReader(req.Body);
            Get(channel).Publish(await reader.ReadToEndAsync());
            return Results.Ok();
        });
        app.MapGet("/poll/{channel}", async (string channel, long since, HttpContext ctx) =>
        {
            var (next, messages) = await Get(channel).WaitAsync(since, TimeSpan.FromSeconds(30), ctx.RequestAborted);
            return Results.Text(next + "\n" + string.Join('\n', messages));
        });
        app.Map("/ws/{channel}", async (string channel, HttpContext ctx) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest)
                return Results.BadRequest();
            using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
            var outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
            var relay = Get(channel);
            relay.Subscribe(outbox.Writer);
            try
            {
                await ws.SendAsync(Array.Empty<byte>(), WebSocketMessageType.Text, true, ctx.RequestAborted);
                var reading = DrainAsync(ws, ctx.RequestAborted);
                await foreach (var m in outbox.Reader.ReadAllAsync(ctx.RequestAborted))
                    await ws.SendAsync(Encoding.UTF8.GetBytes(m), WebSocketMessageType.Text, true, ctx.RequestAborted);
                await reading;
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
            finally
            {
                relay.Unsubscribe(outbox.Writer);
            }
            return Results.Empty;
        });
        await app.RunAsync();
    }

    private static async Task DrainAsync(WebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[1024];
        while (ws.State == WebSocketState.Open)
            if ((await ws.ReceiveAsync(buffer, ct)).MessageType == WebSocketMessageType.Close)
                return;
    }

    private sealed class RelayChannel
    {
        private readonly Lock _gate = new();
        private readonly List<ChannelWriter<string>> _subscribers = [];
        private readonly List<string> _log = [];
        private long _first;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Subscribe(ChannelWriter<string> w) { lock (_gate) _subscribers.Add(w); }
        public void Unsubscribe(ChannelWriter<string> w) { lock (_gate) _subscribers.Remove(w); }

        public void Publish(string message)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                _log.Add(message);
                if (_log.Count > Kept)
                {
                    _log.RemoveAt(0);
                    _first++;
                }
                foreach (var s in _subscribers)
                    s.TryWrite(message);
                changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.SetResult();
        }

        /// <summary>Messages after position <paramref name="since"/> (-1: none, just the position), waiting for one when there are none.</summary>
        public async Task<(long Next, IReadOnlyList<string> Messages)> WaitAsync(long since, TimeSpan timeout, CancellationToken ct)
        {
            Task changed;
            lock (_gate)
            {
                var end = _first + _log.Count;
                if (since < 0)
                    return (end, []);
                if (since < end)
                    return (end, _log.Skip((int)Math.Max(0, since - _first)).ToList());
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(timeout, ct);
            }
            catch (TimeoutException) { }
            lock (_gate)
            {
                var end = _first + _log.Count;
                return (end, _log.Skip((int)Math.Max(0, since - _first)).ToList());
            }
        }
    }
}
