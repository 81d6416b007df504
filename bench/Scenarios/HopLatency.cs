using Homeserver.Bench.Report;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Reports a delivery that crosses a hop (between servers, between nodes) beside the same load delivered without
/// it in the same run: the ratio is what the hop costs.
/// </summary>
public static class HopLatency
{
    public static void Report(BenchContext ctx, string scenario, DeliveryOutcome across, string acrossLabel, DeliveryOutcome within, string withinLabel)
    {
        var latency = $"{scenario} latency at {ctx.Options.DirectSendRate:0} msg/s";
        foreach (var p in new[] { 50.0, 99 })
            ctx.Results.Add(new Measurement(latency, $"p{p}", across.Ms(p), "ms", within.Ms(p)));
        ctx.Results.Add(new Measurement(latency, "lost deliveries", across.Lost, "deliveries", within.Lost, "0", across.Lost == 0 && across.Duplicates == 0));
        ctx.Results.Detail(scenario, acrossLabel, LatencyScenario.Describe(across));
        ctx.Results.Detail(scenario, withinLabel, LatencyScenario.Describe(within));
    }
}
