using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;

namespace Homeserver.Bench.Scenarios;

/// <summary>Time from process start to the first answered request, on an empty and (after initial-sync) a populated database.</summary>
public static class ColdStartScenario
{
    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        Console.WriteLine("cold start: empty database");
        var server = new List<double>();
        var baseline = new List<double>();
        for (var i = 0; i < ctx.Options.ColdStartRepeats; i++)
        {
            var (_, p) = await ctx.StartHomeserverAsync(ct);
            await using (p)
                server.Add(p.Startup.TotalMilliseconds);
            await using (var b = await BenchContext.StartBaselineAsync(ct))
                baseline.Add(b.Startup.TotalMilliseconds);
        }
        ctx.Results.Add(new Measurement("cold start", "empty database, to first answer", InitialSyncScenario.Median(server), "ms", InitialSyncScenario.Median(baseline)));
    }

    public static async Task MeasurePopulatedAsync(BenchContext ctx, ServerInstance instance, CancellationToken ct)
    {
        Console.WriteLine("cold start: populated database");
        var times = new List<double>();
        for (var i = 0; i < ctx.Options.ColdStartRepeats; i++)
            await using (var p = await instance.StartAsync(ct))
                times.Add(p.Startup.TotalMilliseconds);
        ctx.Results.Add(new Measurement("cold start", $"populated database ({ctx.Options.InitialSyncRooms} rooms), to first answer", InitialSyncScenario.Median(times), "ms"));
    }
}
