using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// A push gateway written on a bare socket, so a test knows how many bytes the server really took: a write fails
/// once the server has hung up, where Kestrel would quietly discard it. Each request's body is recorded; the answer
/// is written by <see cref="Respond"/>, given the attempt number (from 1).
/// </summary>
public sealed class RawHttpGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<byte[]> _bodies = Channel.CreateUnbounded<byte[]>();
    private readonly Task _accepting;
    private int _attempts;

    public RawHttpGateway(Func<int, Stream, Task> respond)
    {
        Respond = respond;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Func<int, Stream, Task> Respond { get; }
    public int Attempts => Volatile.Read(ref _attempts);
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/_matrix/push/v1/notify";

    /// <summary>The body of the next request, or a failure after 15 s.</summary>
    public async Task<byte[]> NextAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            return await _bodies.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException("the gateway received nothing");
        }
    }

    /// <summary>An answer of <paramref name="json"/> that leaves the connection open for the next request.</summary>
    public static async Task WriteJsonAsync(Stream s, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        await s.WriteAsync(body);
    }

    /// <summary>The head of an answer whose body runs until the connection closes.</summary>
    public static Task WriteOpenEndedHeadAsync(Stream s) =>
        s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")).AsTask();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
                _ = ServeAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        try
        {
            while (await ReadRequestAsync(stream) is { } body)
            {
                _bodies.Writer.TryWrite(body);
                await Respond(Interlocked.Increment(ref _attempts), stream);
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>One request's body (the head is skipped but for its Content-Length), or null when the client closed.</summary>
    private async Task<byte[]?> ReadRequestAsync(Stream s)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await s.ReadAsync(one, _stop.Token) == 0)
                return null;
            head.Append((char)one[0]);
        }
        var length = head.ToString().Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim())).Single();
        var body = new byte[length];
        await s.ReadExactlyAsync(body, _stop.Token);
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
