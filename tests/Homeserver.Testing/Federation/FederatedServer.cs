using System.Diagnostics;
using System.Globalization;
using System.Net;
using Homeserver.Core.Configuration;
using Homeserver.Host.Configuration;

namespace Homeserver.Testing.Federation;

/// <summary>
/// One server of a <see cref="FederationNetwork"/>: a name, an address, a signing key, a certificate and a database
/// that outlive its runs, so it can be stopped (gracefully, or killed with SIGKILL when it runs as a process of its
/// own) and started again as the same server on the same ports. Its name is <c>ADDRESS:PORT</c> of its TLS listener;
/// clients use the plain listener on the same address, through <see cref="NewClient"/>, whose clients survive restarts.
/// </summary>
public sealed class FederatedServer : IAsyncDisposable
{
    private readonly FederationNetwork _network;
    private readonly DatabaseOptions _database;
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly List<HttpClient> _clients = [];
    private TestHomeserver? _inProcess;
    private Process? _process;

    internal FederatedServer(FederationNetwork network, IPAddress address, DatabaseOptions database, TestCertificateAuthority ca)
    {
        _network = network;
        _database = database;
        Address = address;
        FederationPort = TestPorts.Free(address);
        ClientPort = TestPorts.Free(address);
        ServerName = $"{address}:{FederationPort}";
        DataDir = Directory.CreateTempSubdirectory("hs-fed-").FullName;
        (_certificatePath, _keyPath) = ca.Issue(address.ToString(), address);
        BaseAddress = new Uri($"http://{address}:{ClientPort}");
    }

    public IPAddress Address { get; }
    public int FederationPort { get; }
    public int ClientPort { get; }
    public string ServerName { get; }
    public string DataDir { get; }
    public Uri BaseAddress { get; }
    public bool IsRunning => _inProcess is not null || _process is not null;

    /// <summary>The running in-process server, for tests that read its services.</summary>
    public TestHomeserver InProcess => _inProcess ?? throw new InvalidOperationException($"{ServerName} is not running in this process");

    /// <summary>
    /// Starts the server in this process, unable to reach the servers of <paramref name="unreachable"/>, with
    /// <paramref name="configure"/>'s changes to its options.
    /// </summary>
    public async Task StartAsync(IEnumerable<FederatedServer>? unreachable = null, Action<HomeserverOptions>? configure = null)
    {
        EnsureStopped();
        var options = TestHomeserver.CreateOptions(_database, DataDir);
        options.ServerName = ServerName;
        options.Listeners =
        [
            new ListenerOptions { BindAddress = Address.ToString(), Port = ClientPort },
            new ListenerOptions { BindAddress = Address.ToString(), Port = FederationPort, Tls = new TlsOptions { CertificatePath = _certificatePath, KeyPath = _keyPath } },
        ];
        options.Federation = new FederationOptions
        {
            ExtraCaBundle = _network.CaPath,
            AllowedIpRanges = Reachable(unreachable).ToList(),
            DestinationMinRetryInterval = new Duration(FederationNetwork.MinRetryInterval),
            DestinationMaxRetryInterval = new Duration(FederationNetwork.MaxRetryInterval),
        };
        configure?.Invoke(options);
        _inProcess = await TestHomeserver.StartAsync(options);
    }

    /// <summary>Starts the server as a process of its own, from a config file as an operator runs it, so <see cref="KillAsync"/> can kill it.</summary>
    public async Task StartProcessAsync(IEnumerable<FederatedServer>? unreachable = null)
    {
        EnsureStopped();
        var config = Path.Combine(DataDir, "homeserver.yaml");
        await File.WriteAllTextAsync(config, ConfigTemplate.Render(ServerName, ClientPort, DataDir, _database.Engine, _database.ConnectionString));
        var environment = new Dictionary<string, string>
        {
            ["HOMESERVER__LISTENERS__0__BIND_ADDRESS"] = Address.ToString(),
            ["HOMESERVER__LISTENERS__1__BIND_ADDRESS"] = Address.ToString(),
            ["HOMESERVER__LISTENERS__1__PORT"] = FederationPort.ToString(CultureInfo.InvariantCulture),
            ["HOMESERVER__LISTENERS__1__TLS__CERTIFICATE_PATH"] = _certificatePath,
            ["HOMESERVER__LISTENERS__1__TLS__KEY_PATH"] = _keyPath,
            ["HOMESERVER__AUTH__ARGON2_MEMORY_KIB"] = "64",
            ["HOMESERVER__AUTH__ARGON2_ITERATIONS"] = "1",
            ["HOMESERVER__FEDERATION__EXTRA_CA_BUNDLE"] = _network.CaPath,
            ["HOMESERVER__FEDERATION__DESTINATION_MIN_RETRY_INTERVAL"] = $"{FederationNetwork.MinRetryInterval.TotalMilliseconds}ms",
            ["HOMESERVER__FEDERATION__DESTINATION_MAX_RETRY_INTERVAL"] = $"{FederationNetwork.MaxRetryInterval.TotalMilliseconds}ms",
        };
        var ranges = Reachable(unreachable).ToList();
        for (var i = 0; i < ranges.Count; i++)
            environment[$"HOMESERVER__FEDERATION__ALLOWED_IP_RANGES__{i}"] = ranges[i];
        _process = await TestServerProcess.StartAsync(config, BaseAddress, environment);
    }

    /// <summary>A graceful stop (SIGTERM for a process of its own): what is in flight finishes, as on a shutdown.</summary>
    public async Task StopAsync()
    {
        if (_inProcess is { } server)
        {
            _inProcess = null;
            await server.DisposeAsync();
        }
        if (_process is { } process)
        {
            _process = null;
            if (!ProcessSignals.Terminate(process))
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>SIGKILL: the process dies mid-work, nothing is flushed. Only a server started with <see cref="StartProcessAsync"/>.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"{ServerName} does not run as a process of its own");
        _process = null;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    public HttpClient NewClient(string? accessToken = null)
    {
        var c = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (accessToken is not null)
            c.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        lock (_clients)
            _clients.Add(c);
        return c;
    }

    /// <summary>A fresh user of this server and a client signed in as them.</summary>
    public async Task<(TestUser User, HttpClient Client)> RegisterClientAsync(string? localpart = null)
    {
        var user = await TestHomeserver.RegisterAsync(NewClient(), localpart);
        return (user, NewClient(user.AccessToken));
    }

    /// <summary>The loopback addresses of the other servers of the network that this one may reach.</summary>
    private IEnumerable<string> Reachable(IEnumerable<FederatedServer>? unreachable)
    {
        var cut = (unreachable ?? []).Select(s => s.Address).ToHashSet();
        return _network.Servers.Where(s => s != this && !cut.Contains(s.Address)).Select(s => $"{s.Address}/32");
    }

    private void EnsureStopped()
    {
        if (IsRunning)
            throw new InvalidOperationException($"{ServerName} is already running");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (_clients)
            foreach (var c in _clients)
                c.Dispose();
        Directory.Delete(DataDir, recursive: true);
    }
}
