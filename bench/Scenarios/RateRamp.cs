using System.Diagnostics;
using System.Text.Json.Nodes;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// An open-loop ramp: steps of rising rate until one loses a delivery, fails a send or falls behind (its sends are
/// answered slower than offered, or, given <c>maxP99Ms</c>, its deliveries lag more than that); the last clean step
/// is the sustained rate. Every step is written to the scenario's details under the ramp's name.
/// </summary>
public static class RateRamp
{
    // A step is sustained when its sends were answered at (nearly) the offered rate.
    private const double KeptUp = 0.95;

    // For ramps that deliver across a hop: acknowledged sends alone would count a rate whose deliveries fall
    // further behind every second as sustained.
    public const double MaxLagMs = 1000;

    public static async Task<double> RunAsync(BenchContext ctx, string scenario, string name, IChatTarget target, IReadOnlyList<BenchRoom> rooms,
        ReceiverMix mix, double rate, Process? server, CancellationToken ct, double? maxP99Ms = null)
    {
        var o = ctx.Options;
        var steps = new JsonArray();
        double sustained = 0;
        for (var step = 0; step < o.ThroughputMaxSteps; step++)
        {
            Console.WriteLine($"{scenario} ({target.Name}, {(mix == ReceiverMix.None ? "no receivers" : LatencyScenario.Label(mix) + " receivers")}): {rate:0} msg/s");
            var d = await DeliveryRun.RunAsync(target, rooms, mix, rate, TimeSpan.Zero, o.ThroughputStep, o.DrainTimeout, server, ct);
            var clean = d.Lost == 0 && d.SendErrors == 0 && d.AckedRate >= KeptUp * rate && !(d.Ms(99) > maxP99Ms);
            var described = LatencyScenario.Describe(d);
            described["rate"] = Math.Round(rate, 1);
            described["sustained"] = clean;
            steps.Add(described);
            if (!clean)
                break;
            sustained = rate;
            rate *= o.ThroughputStepFactor;
        }
        ctx.Results.Detail(scenario, name, steps);
        return sustained;
    }
}
