using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;
using Homeserver.Bench.Scenarios;

namespace Homeserver.Bench;

/// <summary>Runs the chosen scenarios, each on fresh server processes, and writes the JSON, the table and the plots.</summary>
public static class BenchRunner
{
    public static async Task<IReadOnlyList<string>> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var serverDll = options.ServerDll ?? await HomeserverLauncher.BuildAsync(HomeserverLauncher.FindRepoRoot(), ct);
        await using var postgres = options.Postgres ? await ThrowawayPostgres.StartAsync(HomeserverLauncher.FindRepoRoot(), ct) : null;
        var launcher = new HomeserverLauncher(options, serverDll, postgres);
        var results = new BenchResults();
        var ctx = new BenchContext(options, results, launcher, postgres);
        Console.WriteLine($"benchmark on {launcher.Engine}, {Environment.ProcessorCount} cores: {string.Join(", ", options.Scenarios)}");

        try
        {
            await RunScenariosAsync(ctx, ct);
        }
        finally
        {
            launcher.DeleteDataDirs();
        }
        var outDir = Path.IsPathRooted(options.OutputDir) ? options.OutputDir : Path.Combine(HomeserverLauncher.FindRepoRoot(), options.OutputDir);
        return ResultsWriter.Write(results, options, launcher.Engine, outDir);
    }

    private static async Task RunScenariosAsync(BenchContext ctx, CancellationToken ct)
    {
        (string Name, Func<BenchContext, CancellationToken, Task> Run)[] scenarios =
        [
            ("storage", StorageScenario.RunAsync),
            ("cold-start", ColdStartScenario.RunAsync),
            ("latency", LatencyScenario.RunAsync),
            ("throughput", ThroughputScenario.RunAsync),
            ("memory", MemoryScenario.RunAsync),
            ("media", MediaScenario.RunAsync),
            ("federation", FederationScenario.RunAsync),
            ("cluster", ClusterScenario.RunAsync),
            // Last: it restarts its populated server for the cold-start figure on a populated database.
            ("initial-sync", InitialSyncScenario.RunAsync),
        ];
        foreach (var (name, run) in scenarios.Where(s => ctx.Options.Runs(s.Name)))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await run(ctx, ct);
            Console.WriteLine($"{name} took {sw.Elapsed.TotalSeconds:0.0} s");
        }
    }
}
