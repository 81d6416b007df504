using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.RateLimiting;

/// <summary>
/// The key per-address limits count a client under. One IPv6 client usually holds a whole /64 and can pick any
/// address in it, so IPv6 addresses count per /64; an IPv4 address written as IPv6 (<c>::ffff:a.b.c.d</c>) counts
/// as that IPv4 address.
/// </summary>
public static class ClientAddressKey
{
    public static string Of(HttpContext ctx) => Of(ctx.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4().ToString();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
