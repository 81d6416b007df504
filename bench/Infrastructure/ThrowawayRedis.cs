namespace Homeserver.Bench.Infrastructure;

/// <summary>Redis for a run: the one named by HOMESERVER_BENCH_REDIS (host:port), or one started with tests/redis.sh and stopped afterwards.</summary>
public sealed class ThrowawayRedis : IAsyncDisposable
{
    private readonly string? _dir;
    private readonly string _repoRoot;

    private ThrowawayRedis(string address, string? dir, string repoRoot)
    {
        Address = address;
        _dir = dir;
        _repoRoot = repoRoot;
    }

    public string Address { get; }

    public static async Task<ThrowawayRedis> StartAsync(string repoRoot, CancellationToken ct)
    {
        var given = Environment.GetEnvironmentVariable("HOMESERVER_BENCH_REDIS");
        if (!string.IsNullOrEmpty(given))
            return new ThrowawayRedis(given, null, repoRoot);
        var dir = Directory.CreateTempSubdirectory("hs-bench-redis-").FullName;
        var address = (await RepoScript.RunAsync(repoRoot, "redis.sh", "start", dir, ct)).Trim();
        return new ThrowawayRedis(address, dir, repoRoot);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dir is null)
            return;
        await RepoScript.RunAsync(_repoRoot, "redis.sh", "stop", _dir, CancellationToken.None);
        Directory.Delete(_dir, recursive: true);
    }
}
