using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// An open-loop ramp of messages into 1:1 rooms with WebSocket receivers until a step loses a delivery, fails
/// a send or falls behind; the last clean step is the sustained rate, compared with the raw insert rate. A second
/// ramp without receivers measures the send path alone.
/// </summary>
public static class ThroughputScenario
{
    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var raw = await ctx.RawInsertRateAsync(ct);
        var (_, server) = await ctx.StartHomeserverAsync(ct);
        await using var serverProcess = server;
        await using var target = new MatrixTarget(server.BaseAddress, ctx.Connector(o.ThroughputRooms));
        var rooms = await target.CreateRoomsAsync(o.ThroughputRooms, 1, ct);
        Console.WriteLine($"  server busy for {(await server.WaitQuietAsync(TimeSpan.FromSeconds(60), ct)).TotalSeconds:0.0} s after setup");
        var best = await RampAsync("steps", ReceiverMix.WebSocket, o.ThroughputStartRate);
        ctx.Results.Add(new Measurement("throughput", "highest sustained rate, zero loss", best, "msg/s", raw,
            ">= 25% of raw inserts", best >= 0.25 * raw));
        // On a loaded machine even the first step may fall behind; the sends-only ramp below still runs then.
        foreach (var share in best > 0 ? new[] { 0.5, 0.9 } : [])
        {
            var d = await DeliveryRun.RunAsync(target, rooms, ReceiverMix.WebSocket, best * share, o.Warmup, o.Duration, o.DrainTimeout, server.Process, ct);
            ctx.Results.Detail("throughput", $"at {share:P0}", LatencyScenario.Describe(d));
            ctx.Results.Add(new Measurement("throughput", $"p50 at {share:P0} ({best * share:0} msg/s)", d.Ms(50), "ms"));
            ctx.Results.Add(new Measurement("throughput", $"p99 at {share:P0} ({best * share:0} msg/s)", d.Ms(99), "ms"));
            ctx.Results.Add(new Measurement("throughput", $"lost at {share:P0}", d.Lost, "deliveries", null, "0", d.Lost == 0));
        }
        // The same ramp with nobody syncing: how far the send path and its storage go alone, which tells the
        // cost of persisting a message apart from the cost of delivering it.
        var sendsOnly = await RampAsync("sends-only steps", ReceiverMix.None, best > 0 ? best : o.ThroughputStartRate);
        ctx.Results.Add(new Measurement("throughput", "highest sustained send rate, no receivers", sendsOnly, "msg/s", raw));

        Task<double> RampAsync(string name, ReceiverMix mix, double rate) =>
            RateRamp.RunAsync(ctx, "throughput", name, target, rooms, mix, rate, server.Process, ct);
    }
}
