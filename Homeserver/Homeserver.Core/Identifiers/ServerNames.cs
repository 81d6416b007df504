namespace Homeserver.Core.Identifiers;

/// <summary>The spec's server-name grammar: a DNS name, IPv4 literal or bracketed IPv6 literal, optionally with a port.</summary>
public static class ServerNames
{
    public static bool IsValid(string name)
    {
        if (name.Length == 0 || name.Length > 255)
            return false;
        string host = name;
        if (name.StartsWith('['))
        {
            var close = name.IndexOf(']');
            if (close < 0)
                return false;
            var literal = name[1..close];
            if (!System.Net.IPAddress.TryParse(literal, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                return false;
            var rest = name[(close + 1)..];
            return rest.Length == 0 || (rest[0] == ':' && IsPort(rest[1..]));
        }
        var colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!IsPort(name[(colon + 1)..]))
                return false;
            host = name[..colon];
        }
        return host.Length > 0 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
    }

    private static bool IsPort(string port) =>
        port.Length is > 0 and <= 5 && port.All(char.IsAsciiDigit) && int.Parse(port) is > 0 and <= 65535;
}
