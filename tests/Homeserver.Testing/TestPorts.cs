using System.Net;
using System.Net.Sockets;

namespace Homeserver.Testing;

public static class TestPorts
{
    // Below the kernel's ephemeral ports (32768 up): a port the kernel hands out for 0 can be taken as the local port
    // of an outgoing connection between choosing it and the server binding it. Apart, too, from the 20000-31999 the
    // test scripts choose from (tests/*.sh).
    private const int First = 10000;
    private const int Count = 10000;
    private static int _next = Random.Shared.Next(Count);

    /// <summary>A loopback port free right now, for a server whose port must be known before it starts (its server name, a config file).</summary>
    /// <remarks>Handed out in turn, so two callers of this process never get the same port while both still hold it.</remarks>
    public static int Free(IPAddress? address = null)
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            try
            {
                using var l = new TcpListener(address ?? IPAddress.Loopback, port);
                l.Start();
                return port;
            }
            catch (SocketException)
            {
                // Held by someone else: the next one.
            }
        }
        throw new InvalidOperationException($"no free loopback port between {First} and {First + Count - 1}");
    }
}
