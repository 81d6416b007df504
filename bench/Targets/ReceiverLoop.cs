using System.Buffers;
using System.Net.WebSockets;

namespace Homeserver.Bench.Targets;

/// <summary>A receiver's background loop; disposing it cancels the loop and waits for it to end.</summary>
public sealed class ReceiverLoop : IAsyncDisposable
{
    private static long _errors;
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private readonly IDisposable? _resource;

    private ReceiverLoop(CancellationTokenSource stop, Task loop, IDisposable? resource)
    {
        _stop = stop;
        _loop = loop;
        _resource = resource;
    }

    /// <summary>Receive failures across all receivers (a failure shows as loss as well).</summary>
    public static long Errors => Interlocked.Read(ref _errors);

    public static ReceiverLoop Start(Func<CancellationToken, Task> body, CancellationToken ct, IDisposable? resource = null)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loop = Task.Run(async () =>
        {
            try
            {
                await body(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested) { }
            catch (Exception e) when (e is HttpRequestException or WebSocketException or IOException or InvalidOperationException)
            {
                Interlocked.Increment(ref _errors);
            }
        }, CancellationToken.None);
        return new ReceiverLoop(stop, loop, resource);
    }

    /// <summary>Reads one whole WebSocket text message into <paramref name="buffer"/>; false when the peer closed.</summary>
    public static async Task<bool> ReadMessageAsync(WebSocket ws, ArrayBufferWriter<byte> buffer, CancellationToken ct)
    {
        buffer.ResetWrittenCount();
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer.GetMemory(16 * 1024), ct);
            if (r.MessageType == WebSocketMessageType.Close)
                return false;
            buffer.Advance(r.Count);
            if (r.EndOfMessage)
                return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _resource?.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
