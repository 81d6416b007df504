using Homeserver.Bench.Baselines;
using Homeserver.Bench.Report;

namespace Homeserver.Bench.Scenarios;

/// <summary>The raw insert rates other scenarios are compared with, reported on their own as well.</summary>
public static class StorageScenario
{
    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        Console.WriteLine("storage: raw inserts");
        var sqlite = await ctx.RawSqliteInsertRateAsync(ct);
        ctx.Results.Add(new Measurement("storage baseline", "raw SQLite inserts (WAL, synchronous=NORMAL, one per transaction)", sqlite, "rows/s"));
        if (await ctx.RawPostgresInsertRateAsync(ct) is { } pg)
            ctx.Results.Add(new Measurement("storage baseline", "raw PostgreSQL inserts (one per transaction)", pg, "rows/s"));
    }
}
