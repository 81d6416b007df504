using System.Net;

namespace Homeserver.Testing.Federation;

/// <summary>
/// Several servers of ours federating on loopback, each on its own address (127.0.0.1, 127.0.0.2, ...: all loopback
/// on Linux) with a certificate of one test CA that all of them trust. Each reaches the others because its
/// <c>federation.allowed_ip_ranges</c> names their addresses; <see cref="PartitionAsync"/> restarts two of them without
/// each other's address, so the product's own outbound guard cuts them apart while their clients still reach both.
/// Retries of a destination that failed start after <see cref="MinRetryInterval"/> and grow to
/// <see cref="MaxRetryInterval"/>, so tests see several backoff steps in seconds.
/// </summary>
public sealed class FederationNetwork : IAsyncDisposable
{
    public static readonly TimeSpan MinRetryInterval = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxRetryInterval = TimeSpan.FromSeconds(2);

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private readonly List<FederatedServer> _servers = [];
    private readonly HashSet<FederatedServer> _partitioned = [];

    private FederationNetwork()
    {
    }

    public IReadOnlyList<FederatedServer> Servers => _servers;
    public FederatedServer this[int index] => _servers[index];
    internal string CaPath => _ca.CaPath;

    /// <summary><paramref name="count"/> servers on <paramref name="engine"/>, each with a database of its own, not started yet.</summary>
    public static async Task<FederationNetwork> CreateAsync(string engine, int count)
    {
        var network = new FederationNetwork();
        for (var i = 0; i < count; i++)
        {
            var database = await TestHomeserver.CreateDatabaseAsync(engine);
            network._servers.Add(new FederatedServer(network, new IPAddress([127, 0, 0, (byte)(i + 1)]), database, network._ca));
        }
        return network;
    }

    /// <summary><paramref name="count"/> servers started in this process.</summary>
    public static async Task<FederationNetwork> StartAsync(string engine, int count)
    {
        var network = await CreateAsync(engine, count);
        await Task.WhenAll(network._servers.Select(s => s.StartAsync()));
        return network;
    }

    /// <summary>Restarts <paramref name="a"/> and <paramref name="b"/> unable to reach each other; both keep serving their clients.</summary>
    public async Task PartitionAsync(FederatedServer a, FederatedServer b)
    {
        await Task.WhenAll(a.StopAsync(), b.StopAsync());
        await Task.WhenAll(a.StartAsync([b]), b.StartAsync([a]));
        _partitioned.UnionWith([a, b]);
    }

    /// <summary>Restarts the partitioned servers with the whole network reachable again.</summary>
    public async Task HealAsync()
    {
        var servers = _partitioned.ToList();
        _partitioned.Clear();
        await Task.WhenAll(servers.Select(s => s.StopAsync()));
        await Task.WhenAll(servers.Select(s => s.StartAsync()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
            await server.DisposeAsync();
        _ca.Dispose();
    }
}
