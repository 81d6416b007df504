using Homeserver.Bench.Baselines;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;

namespace Homeserver.Bench.Scenarios;

/// <summary>What every scenario needs: the sizes, where results go, and how to start the servers under test.</summary>
public sealed class BenchContext(BenchOptions options, BenchResults results, HomeserverLauncher homeserver, ThrowawayPostgres? postgres)
{
    private double? _rawSqlite;
    private double? _rawPostgres;

    public BenchOptions Options { get; } = options;
    public BenchResults Results { get; } = results;
    public HomeserverLauncher Homeserver { get; } = homeserver;
    /// <summary>The run's PostgreSQL when it runs on PostgreSQL (<c>--postgres</c>); null on SQLite.</summary>
    public ThrowawayPostgres? Postgres { get; } = postgres;

    /// <summary>A fresh server on a fresh data directory.</summary>
    public async Task<(ServerInstance Instance, ChildProcess Process)> StartHomeserverAsync(CancellationToken ct)
    {
        var instance = await Homeserver.CreateAsync(ct);
        return (instance, await instance.StartAsync(ct));
    }

    /// <summary>The bare Kestrel relay, from this program's own assembly.</summary>
    public static Task<ChildProcess> StartBaselineAsync(CancellationToken ct) =>
        ChildProcess.StartAsync(typeof(BaselineServer).Assembly.Location,
            port => new(["baseline-server", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], new Dictionary<string, string>()),
            "/ready", ct);

    public async Task<double> RawSqliteInsertRateAsync(CancellationToken ct)
    {
        if (_rawSqlite is null)
        {
            var dir = Directory.CreateTempSubdirectory("hs-bench-sqlite-");
            _rawSqlite = await StorageBaseline.SqliteInsertsPerSecondAsync(dir.FullName, Options.StorageBaselineDuration, ct);
            dir.Delete(recursive: true);
        }
        return _rawSqlite.Value;
    }

    public async Task<double?> RawPostgresInsertRateAsync(CancellationToken ct)
    {
        if (Postgres is not null && _rawPostgres is null)
            _rawPostgres = await StorageBaseline.PostgresInsertsPerSecondAsync(await Postgres.CreateDatabaseAsync(ct), Options.StorageBaselineDuration, ct);
        return _rawPostgres;
    }

    /// <summary>The insert rate of the engine the server runs on.</summary>
    public async Task<double> RawInsertRateAsync(CancellationToken ct) =>
        await RawPostgresInsertRateAsync(ct) ?? await RawSqliteInsertRateAsync(ct);

    public LoopbackConnector Connector(int expectedConnections) => new(expectedConnections, Options.SourceAddressThreshold);
}
