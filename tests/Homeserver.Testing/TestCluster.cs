using Homeserver.Core.Configuration;

namespace Homeserver.Testing;

/// <summary>
/// Several nodes of one homeserver on loopback: one PostgreSQL database, one Redis, the same signing and token keys,
/// each node with its own data directory and writer name.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(IReadOnlyList<TestHomeserver> nodes) => Nodes = nodes;

    public IReadOnlyList<TestHomeserver> Nodes { get; }

    public TestHomeserver this[int i] => Nodes[i];

    public static async Task<TestCluster> StartAsync(int count, RedisOptions redis, Action<HomeserverOptions>? configure = null)
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var keys = Directory.CreateTempSubdirectory("hs-cluster-keys-").FullName;
        var nodes = new List<TestHomeserver>();
        // One after the other: the first creates the keys the others read.
        for (var i = 0; i < count; i++)
            nodes.Add(await TestHomeserver.StartAsync(await NodeOptionsAsync(i, database, keys, redis, configure)));
        return new TestCluster(nodes);
    }

    /// <summary>The options of node <paramref name="index"/>: what every node shares, and a data directory and writer name of its own.</summary>
    public static async Task<HomeserverOptions> NodeOptionsAsync(int index, string database, string keysDir, RedisOptions redis, Action<HomeserverOptions>? configure = null)
    {
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.Database = new DatabaseOptions { Engine = "postgres", ConnectionString = database, InstanceName = $"node{index}" };
        options.SigningKeyPath = Path.Combine(keysDir, "signing.key");
        options.Auth.TokenKeyPath = Path.Combine(keysDir, "access_token.key");
        options.Redis = redis;
        configure?.Invoke(options);
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}
