using Npgsql;

namespace Homeserver.Bench.Infrastructure;

/// <summary>
/// PostgreSQL for a run: the server named by HOMESERVER_BENCH_POSTGRES, or a cluster started with the test
/// suite's tests/postgres.sh and stopped afterwards. Each caller gets a fresh database.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string? _clusterDir;
    private readonly string _repoRoot;
    private readonly List<string> _databases = [];

    private ThrowawayPostgres(string admin, string? clusterDir, string repoRoot)
    {
        _admin = admin;
        _clusterDir = clusterDir;
        _repoRoot = repoRoot;
    }

    public static async Task<ThrowawayPostgres> StartAsync(string repoRoot, CancellationToken ct)
    {
        var given = Environment.GetEnvironmentVariable("HOMESERVER_BENCH_POSTGRES");
        if (!string.IsNullOrEmpty(given))
            return new ThrowawayPostgres(given, null, repoRoot);
        var dir = Directory.CreateTempSubdirectory("hs-bench-pg-").FullName;
        var output = await RepoScript.RunAsync(repoRoot, "postgres.sh", "start", dir, ct);
        return new ThrowawayPostgres(output.Trim(), dir, repoRoot);
    }

    public async Task<string> CreateDatabaseAsync(CancellationToken ct)
    {
        var name = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(_admin);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        await cmd.ExecuteNonQueryAsync(ct);
        lock (_databases)
            _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_admin) { Database = name, MaxPoolSize = 100 }.ConnectionString;
    }

    /// <summary>Drops the run's databases on a server that outlives the run, or stops the cluster the run started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_clusterDir is null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(_admin);
            await conn.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", conn);
                await drop.ExecuteNonQueryAsync();
            }
        }
        else
        {
            await RepoScript.RunAsync(_repoRoot, "postgres.sh", "stop", _clusterDir, CancellationToken.None);
            Directory.Delete(_clusterDir, recursive: true);
        }
    }
}
