using System.Net;
using System.Net.Sockets;

namespace Homeserver.Bench.Infrastructure;

/// <summary>
/// Opens client connections for the generator. One source address has about 28,000 ephemeral ports, so above
/// the threshold connections are spread over 127.0.0.2, 127.0.0.3, … (all loopback on Linux).
/// </summary>
public sealed class LoopbackConnector(int expectedConnections, int threshold)
{
    // IP_BIND_ADDRESS_NO_PORT: choose the port at connect time, per destination, instead of at bind time.
    private const int IpBindAddressNoPort = 24;
    private const int ConnectionsPerAddress = 20000;
    private int _next;

    private int AddressCount => expectedConnections <= threshold ? 0 : (expectedConnections + ConnectionsPerAddress - 1) / ConnectionsPerAddress;

    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = ConnectAsync,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        UseCookies = false,
        UseProxy = false,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (AddressCount > 0)
            {
                var n = Interlocked.Increment(ref _next);
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpBindAddressNoPort, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(2 + n % AddressCount)]), 0));
            }
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
