using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;

namespace Homeserver.Testing;

/// <summary>
/// The nginx that <c>tests/run.sh</c> starts on the shipped <c>deploy/nginx/homeserver.conf</c> (through
/// <c>tests/nginx.sh</c>): its TLS address, and the loopback ports of its upstream block, where a test starts its
/// nodes. Without it the tests fail loudly, like <see cref="TestPostgres"/>.
/// </summary>
public sealed class TestNginx
{
    public const string EnvVar = "HOMESERVER_TEST_NGINX";

    private readonly string _certificateHash;

    private TestNginx(Uri baseUrl, string certificatePath, IReadOnlyList<int> upstreamPorts)
    {
        (BaseUrl, UpstreamPorts) = (baseUrl, upstreamPorts);
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        _certificateHash = certificate.GetCertHashString();
    }

    /// <summary>Where clients reach the nodes: https on loopback, with a certificate made for the run.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The ports nginx balances across, in the order of the config's upstream servers.</summary>
    public IReadOnlyList<int> UpstreamPorts { get; }

    /// <summary>Parses what <c>tests/nginx.sh start</c> prints: <c>https://127.0.0.1:PORT CERTIFICATE 127.0.0.1:NODE1 …</c>.</summary>
    public static TestNginx FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{EnvVar} is not set: run the suite with tests/run.sh, which starts nginx, or start it with tests/nginx.sh start DIR deploy/nginx/homeserver.conf and set {EnvVar} to the line it prints.");
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new TestNginx(new Uri(parts[0]), parts[1], [.. parts.Skip(2).Select(p => int.Parse(p[(p.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture))]);
    }

    /// <summary>A client of nginx, trusting the self-signed certificate made for the run and no other.</summary>
    /// <param name="from">A loopback address to connect from (127.0.0.2, …), for a client nginx tells apart from itself.</param>
    public HttpClient NewClient(string? accessToken = null, IPAddress? from = null)
    {
        var handler = new SocketsHttpHandler();
        if (from is not null)
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        handler.SslOptions.RemoteCertificateValidationCallback = IsNginxCertificate;
        var client = new HttpClient(handler) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (accessToken is not null)
            client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        return client;
    }

    /// <summary>A WebSocket sync through nginx (wss), not yet connected.</summary>
    public ClientWebSocket NewWebSocket()
    {
        var ws = new ClientWebSocket();
        ws.Options.RemoteCertificateValidationCallback = IsNginxCertificate;
        return ws;
    }

    private bool IsNginxCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && certificate.GetCertHashString() == _certificateHash;

    public Uri WebSocketUri(string pathAndQuery) => new(new UriBuilder(BaseUrl) { Scheme = "wss" }.Uri, pathAndQuery);
}
