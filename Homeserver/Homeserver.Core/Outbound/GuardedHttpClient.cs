using System.Net;
using System.Net.Sockets;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.Outbound;

/// <summary>
/// The HTTP client for destinations clients choose. The address check happens when connecting, after DNS, so a
/// name that resolves to a private address (or is re-pointed there later) is refused too; redirects are not
/// followed, because their target would escape the check.
/// </summary>
public sealed class GuardedHttpClient : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly TimeSpan _timeout;

    public GuardedHttpClient(OutboundAddressPolicy policy, PushOptions options)
    {
        _handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.RequestTimeout.Value,
            ConnectCallback = async (context, ct) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
                var permitted = addresses.Where(policy.IsAllowed).ToArray();
                if (permitted.Length == 0)
                    throw new OutboundAddressRefusedException(host);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(permitted, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _timeout = options.RequestTimeout.Value;
        Client = new HttpClient(_handler, disposeHandler: false) { Timeout = _timeout };
    }

    public HttpClient Client { get; }

    /// <summary>A client that passes requests through <paramref name="outer"/> first, over the same guarded connections.</summary>
    public HttpClient With(DelegatingHandler outer)
    {
        outer.InnerHandler = _handler;
        return new HttpClient(outer, disposeHandler: false) { Timeout = _timeout };
    }

    /// <summary>True when <paramref name="e"/> failed because the destination was refused, not because it was down.</summary>
    public static bool IsRefusal(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is OutboundAddressRefusedException)
                return true;
        return false;
    }

    public void Dispose()
    {
        Client.Dispose();
        _handler.Dispose();
    }
}
