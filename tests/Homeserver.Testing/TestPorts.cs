using System.Net;
using System.Net.Sockets;

namespace Homeserver.Testing;

public static class TestPorts
{
    /// <summary>A loopback port free right now, for a server whose port must be known before it starts (its server name, a config file).</summary>
    public static int Free(IPAddress? address = null)
    {
        using var l = new TcpListener(address ?? IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
