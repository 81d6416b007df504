using System.Diagnostics;
using System.Globalization;
using Homeserver.Core.Configuration;
using Homeserver.IntegrationTests.Durability;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>
/// Three nodes on one PostgreSQL database, a Redis of their own (to be killed and restarted) and one S3 bucket, on
/// the ports of the upstream block of the nginx that tests/run.sh started on the shipped deploy/nginx/homeserver.conf.
/// Alice and Bob are registered through nginx.
/// </summary>
public sealed class NginxClusterFixture : IAsyncLifetime
{
    public const int NodeCount = 3;
    private readonly Process?[] _nodes = new Process?[NodeCount];
    private readonly int[] _metricsPorts = [.. Enumerable.Range(0, NodeCount).Select(_ => TestPorts.Free())];
    private string _database = "";
    private string _keys = "";
    private RedisOptions _redisOptions = new();
    private Dictionary<string, string> _environment = [];

    public TestNginx Nginx { get; private set; } = null!;
    public TestRedis.OwnRedis Redis { get; private set; } = null!;
    public string AliceToken { get; private set; } = "";
    public string BobToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Nginx = TestNginx.FromEnvironment();
        if (Nginx.UpstreamPorts.Count != NodeCount)
            throw new InvalidOperationException($"nginx balances across {Nginx.UpstreamPorts.Count} nodes; these tests run {NodeCount}");
        _database = await TestPostgres.CreateDatabaseAsync();
        Redis = await TestRedis.StartOwnAsync();
        _redisOptions = TestRedis.Options(Redis.Address);
        _keys = Directory.CreateTempSubdirectory("hs-nginx-keys-").FullName;
        var s3 = await TestS3.CreateBucketAsync();
        _environment = new Dictionary<string, string>
        {
            ["HOMESERVER__TRUSTED_PROXIES__0"] = "127.0.0.1",
            ["HOMESERVER__PUBLIC_BASEURL"] = Nginx.BaseUrl.ToString(),
            ["HOMESERVER__MEDIA__STORAGE"] = MediaOptions.S3Storage,
            ["HOMESERVER__MEDIA__S3__ENDPOINT"] = s3.Endpoint,
            ["HOMESERVER__MEDIA__S3__BUCKET"] = s3.Bucket,
            ["HOMESERVER__MEDIA__S3__ACCESS_KEY"] = s3.AccessKey,
            ["HOMESERVER__MEDIA__S3__SECRET_KEY"] = s3.SecretKey,
            ["HOMESERVER__MEDIA__S3__TLS"] = "false",
        };
        // The first node creates the keys the others read.
        await StartNodeAsync(0);
        await Task.WhenAll(Enumerable.Range(1, NodeCount - 1).Select(StartNodeAsync));
        using var anon = Nginx.NewClient();
        AliceToken = await ServerProcess.RegisterAsync(anon, "alice");
        BobToken = await ServerProcess.RegisterAsync(anon, "bob");
    }

    /// <summary>Node <paramref name="index"/> directly, past nginx.</summary>
    public Uri NodeUrl(int index) => new($"http://127.0.0.1:{Nginx.UpstreamPorts[index].ToString(CultureInfo.InvariantCulture)}");

    public async Task StartNodeAsync(int index)
    {
        // Each node's own metrics listener tells which node holds which syncs, which nginx does not say.
        var environment = new Dictionary<string, string>(_environment)
        {
            ["HOMESERVER__METRICS__ENABLED"] = "true",
            ["HOMESERVER__METRICS__PORT"] = _metricsPorts[index].ToString(CultureInfo.InvariantCulture),
        };
        _nodes[index] = (await ClusterProcessNode.StartAsync(index, "nginx.test", _database, _redisOptions, _keys,
            environment: environment, port: Nginx.UpstreamPorts[index])).Process;
    }

    /// <summary>The WebSocket syncs node <paramref name="index"/> holds open, from its metrics.</summary>
    public async Task<double> OpenWebSocketsAsync(int index)
    {
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_metricsPorts[index].ToString(CultureInfo.InvariantCulture)}") };
        return (await PrometheusScrape.ScrapeAsync(metrics)).Sum("matrix_sync_active", ("matrix_sync_transport", "websocket"));
    }

    /// <summary>Starts again any node an earlier test left stopped, so each test begins with all three.</summary>
    public async Task EnsureAllRunningAsync() =>
        await Task.WhenAll(Enumerable.Range(0, NodeCount).Where(i => _nodes[i] is null).Select(StartNodeAsync));

    /// <summary>SIGKILL: the node dies mid-request, its connections reset.</summary>
    public async Task KillNodeAsync(int index)
    {
        var node = _nodes[index] ?? throw new InvalidOperationException($"node {index} is not running");
        _nodes[index] = null;
        node.Kill(entireProcessTree: true);
        await node.WaitForExitAsync();
        node.Dispose();
    }

    /// <summary>SIGTERM, as systemd stops a node, and its end awaited.</summary>
    public async Task StopNodeAsync(int index)
    {
        var node = _nodes[index] ?? throw new InvalidOperationException($"node {index} is not running");
        _nodes[index] = null;
        if (!ProcessSignals.Terminate(node))
            node.Kill(entireProcessTree: true);
        await node.WaitForExitAsync();
        node.Dispose();
    }

    public async Task DisposeAsync()
    {
        for (var i = 0; i < NodeCount; i++)
            if (_nodes[i] is not null)
                await KillNodeAsync(i);
        if (Redis is not null)
            await Redis.DisposeAsync();
    }
}
