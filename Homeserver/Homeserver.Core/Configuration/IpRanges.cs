using System.Net;
using System.Net.Sockets;

namespace Homeserver.Core.Configuration;

public static class IpRanges
{
    /// <summary>A CIDR range (<c>10.0.0.0/8</c>) or a single address (<c>127.0.0.1</c>, a range of one).</summary>
    public static bool TryParse(string text, out IPNetwork range)
    {
        if (text.Contains('/'))
            return IPNetwork.TryParse(text, out range);
        if (IPAddress.TryParse(text, out var address))
        {
            range = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        range = default;
        return false;
    }
}
