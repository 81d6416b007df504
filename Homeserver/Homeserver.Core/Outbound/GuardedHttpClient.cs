using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Homeserver.Core.Observability;

namespace Homeserver.Core.Outbound;

/// <summary>
/// The HTTP client for destinations chosen by others: pushers' URLs, other homeservers. The address check happens when connecting, after DNS, so a
/// name that resolves to a private address (or is re-pointed there later) is refused too; redirects are not
/// followed, because their target would escape the check. Answers are read within a size cap and a time cap for the
/// whole exchange, so a destination that answers without end, or a byte at a time, costs a bounded buffer and a
/// bounded wait, and the attempt fails like one to a destination that is down.
/// </summary>
public sealed class GuardedHttpClient : IDisposable
{
    /// <summary>The default cap on an answer: generous for the JSON APIs the server calls (push gateways answer a few bytes).</summary>
    public const long DefaultMaxResponseBytes = 1 << 20;

    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;

    /// <param name="connectTimeout">Time allowed to open a connection; <paramref name="requestTimeout"/> when null.</param>
    /// <param name="certificateCheck">Replaces the system's check of server certificates (an extra CA bundle); null keeps it.</param>
    /// <param name="tracePropagator">Which destinations get the trace context; null sends it to none.</param>
    public GuardedHttpClient(OutboundAddressPolicy policy, TimeSpan requestTimeout, TimeSpan? connectTimeout = null,
        RemoteCertificateValidationCallback? certificateCheck = null, TrustedTracePropagator? tracePropagator = null)
    {
        _handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ActivityHeadersPropagator = tracePropagator ?? TrustedTracePropagator.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = connectTimeout ?? requestTimeout,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = certificateCheck },
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
        _timeout = requestTimeout;
        _client = Capped(_handler);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and reads the whole answer, at most <paramref name="maxResponseBytes"/> bytes
    /// (<see cref="DefaultMaxResponseBytes"/> when null) within the request timeout, headers and body together.
    /// </summary>
    /// <exception cref="OutboundResponseTooLargeException">The answer is longer than the cap; the connection is dropped.</exception>
    /// <exception cref="OutboundTimeoutException">The answer was not complete in time.</exception>
    public async Task<OutboundResponse> SendAsync(HttpRequestMessage request, CancellationToken ct, long? maxResponseBytes = null)
    {
        var cap = maxResponseBytes ?? DefaultMaxResponseBytes;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_timeout);
        try
        {
            using var res = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var body = await ReadCappedAsync(res.Content, cap, request.RequestUri, deadline.Token);
            return new OutboundResponse(res.StatusCode, res.Headers, body);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new OutboundTimeoutException(request.RequestUri, _timeout);
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns as soon as the headers are in, within the request timeout; the
    /// caller reads the body as it arrives (media, too large to hold whole), bounds that read itself, and disposes
    /// the answer.
    /// </summary>
    /// <exception cref="OutboundTimeoutException">The headers did not come in time.</exception>
    public async Task<HttpResponseMessage> OpenAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_timeout);
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new OutboundTimeoutException(request.RequestUri, _timeout);
        }
    }

    /// <summary>
    /// A client that passes requests through <paramref name="outer"/> first, over the same guarded connections, for
    /// libraries that want an <see cref="HttpClient"/>: it buffers answers only up to <see cref="DefaultMaxResponseBytes"/>
    /// and within the request timeout, which holds while the answer is buffered too.
    /// </summary>
    public HttpClient With(DelegatingHandler outer)
    {
        outer.InnerHandler = _handler;
        return Capped(outer);
    }

    private HttpClient Capped(HttpMessageHandler handler) =>
        new(handler, disposeHandler: false) { Timeout = _timeout, MaxResponseContentBufferSize = DefaultMaxResponseBytes };

    /// <summary>
    /// Reads the body into a buffer that never grows past <paramref name="cap"/>: a longer answer stops the read. For
    /// callers of <see cref="OpenAsync"/> that want the body whole but its headers first.
    /// </summary>
    /// <exception cref="OutboundResponseTooLargeException">The answer is longer than the cap.</exception>
    public static async Task<byte[]> ReadCappedAsync(HttpContent content, long cap, Uri? uri, CancellationToken ct)
    {
        if (content.Headers.ContentLength > cap)
            throw new OutboundResponseTooLargeException(uri, cap);
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var body = new MemoryStream((int)Math.Min(content.Headers.ContentLength ?? 4096, cap));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (body.Length + read > cap)
                throw new OutboundResponseTooLargeException(uri, cap);
            body.Write(chunk, 0, read);
        }
        return body.ToArray();
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
        _client.Dispose();
        _handler.Dispose();
    }
}
