using System.Text.Json.Nodes;
using HdrHistogram;
using Homeserver.Bench.Baselines;
using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Delivery latency: receivers connected by long polling, WebSocket and half of each; senders at a fixed rate;
/// in 1:1 rooms and in fan-out rooms; the same load against the bare relay baseline.
/// </summary>
public static class LatencyScenario
{
    private static readonly double[] Percentiles = [50, 95, 99];

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var shapes = new[]
        {
            (Name: "1:1", Rooms: o.Receivers, PerRoom: 1, Rate: o.DirectSendRate),
            (Name: "fan-out", Rooms: Math.Max(1, o.Receivers / o.FanoutRoomSize), PerRoom: o.FanoutRoomSize, Rate: o.FanoutSendRate),
        }.Where(s => o.LatencyShapes.Contains(s.Name)).ToList();
        var mixes = Enum.GetValues<ReceiverMix>().Where(m => m != ReceiverMix.None && o.LatencyMixes.Contains(OptionName(m))).ToList();
        var (_, server) = await ctx.StartHomeserverAsync(ct);
        await using var serverProcess = server;
        await using var baseline = await BenchContext.StartBaselineAsync(ct);
        await using var homeserver = new MatrixTarget(server.BaseAddress, ctx.Connector(o.Receivers));
        await using var relay = new BaselineTarget(baseline.BaseAddress, ctx.Connector(o.Receivers));

        foreach (var shape in shapes)
        {
            Console.WriteLine($"latency: {shape.Name}, {shape.Rooms * shape.PerRoom} receivers in {shape.Rooms} rooms, {shape.Rate} msg/s");
            var hsRooms = await homeserver.CreateRoomsAsync(shape.Rooms, shape.PerRoom, ct);
            var baseRooms = await relay.CreateRoomsAsync(shape.Rooms, shape.PerRoom, ct);
            Console.WriteLine($"  server busy for {(await server.WaitQuietAsync(TimeSpan.FromSeconds(60), ct)).TotalSeconds:0.0} s after setup");
            foreach (var mix in mixes)
            {
                var hs = await DeliveryRun.RunAsync(homeserver, hsRooms, mix, shape.Rate, o.Warmup, o.Duration, o.DrainTimeout, server.Process, ct);
                var bl = await DeliveryRun.RunAsync(relay, baseRooms, mix, shape.Rate, o.Warmup, o.Duration, o.DrainTimeout, baseline.Process, ct);
                Report(ctx.Results, shape.Name, mix, hs, bl, o.Receivers);
            }
        }
    }

    private static void Report(BenchResults results, string shape, ReceiverMix mix, DeliveryOutcome hs, DeliveryOutcome bl, int receivers)
    {
        var name = $"latency {shape} {Label(mix)}";
        foreach (var p in Percentiles)
        {
            var (target, met) = TargetFor(shape, mix, p, hs.Ms(p), bl.Ms(p), receivers);
            results.Add(new Measurement(name, $"p{p}", hs.Ms(p), "ms", bl.Ms(p), target, met));
        }
        results.Add(new Measurement(name, "max", hs.MaxMs, "ms", bl.MaxMs));
        results.Add(new Measurement(name, "send answered p50", hs.SendMs(50), "ms", bl.SendMs(50)));
        results.Add(new Measurement(name, "server CPU per delivery", hs.ServerCpuMicrosPerDelivery, "µs", bl.ServerCpuMicrosPerDelivery));
        results.Add(new Measurement(name, "lost deliveries", hs.Lost, "deliveries", bl.Lost, "0", hs.Lost == 0));
        results.Detail("latency", $"{shape} {Label(mix)}", new JsonObject
        {
            ["homeserver"] = Describe(hs),
            ["baseline"] = Describe(bl),
        });
        if (mix == ReceiverMix.Half)
        {
            results.Curves.Add(Curve(shape, "homeserver long polling (in the mix)", hs.LongPollLatency));
            results.Curves.Add(Curve(shape, "homeserver WebSocket (in the mix)", hs.WebSocketLatency));
        }
        else
        {
            results.Curves.Add(Curve(shape, $"homeserver {Label(mix)}", hs.Latency));
            results.Curves.Add(Curve(shape, $"baseline {Label(mix)}", bl.Latency));
        }
    }

    /// <summary>The targets hold for 1:1 delivery to 1,000 receivers of one kind.</summary>
    private static (string? Target, bool? Met) TargetFor(string shape, ReceiverMix mix, double p, double value, double baseline, int receivers)
    {
        if (shape != "1:1" || receivers < 1000 || p == 95)
            return (null, null);
        var (limit, ratio) = (mix, p) switch
        {
            (ReceiverMix.LongPoll, 50) => (5.0, 3.0),
            (ReceiverMix.LongPoll, 99) => (25.0, 3.0),
            (ReceiverMix.WebSocket, 50) => (3.0, 2.0),
            (ReceiverMix.WebSocket, 99) => (15.0, 2.0),
            _ => (0, 0),
        };
        if (limit == 0)
            return (null, null);
        return ($"<= {limit} ms, <= {ratio}x baseline", value <= limit && value <= ratio * baseline);
    }

    private static string OptionName(ReceiverMix mix) => mix switch
    {
        ReceiverMix.LongPoll => "long-poll",
        ReceiverMix.WebSocket => "websocket",
        ReceiverMix.Half => "half",
        _ => "none",
    };

    public static string Label(ReceiverMix mix) => mix switch
    {
        ReceiverMix.LongPoll => "long polling",
        ReceiverMix.WebSocket => "WebSocket",
        ReceiverMix.Half => "half and half",
        _ => "no receivers",
    };

    public static JsonObject Describe(DeliveryOutcome d) => new()
    {
        ["sent"] = d.Sent,
        ["send_errors"] = d.SendErrors,
        ["expected_deliveries"] = d.Expected,
        ["delivered"] = d.Delivered,
        ["lost"] = d.Lost,
        ["duplicates"] = d.Duplicates,
        ["receive_errors"] = d.ReceiveErrors,
        ["offered_rate"] = Math.Round(d.OfferedRate, 1),
        ["acked_rate"] = Math.Round(d.AckedRate, 1),
        ["p50_ms"] = Rounded(d.Ms(50), 3),
        ["p95_ms"] = Rounded(d.Ms(95), 3),
        ["p99_ms"] = Rounded(d.Ms(99), 3),
        ["max_ms"] = Rounded(d.MaxMs, 3),
        ["send_answered_p50_ms"] = Rounded(d.SendMs(50), 3),
        ["send_answered_p99_ms"] = Rounded(d.SendMs(99), 3),
        ["generator_cpu_percent"] = d.GeneratorCpuPercent,
        ["server_cpu_percent"] = d.ServerCpuPercent,
        ["server_cpu_us_per_delivery"] = Rounded(d.ServerCpuMicrosPerDelivery, 1),
        ["server_cpu_us_per_send"] = Rounded(d.ServerCpuMicrosPerSend, 1),
    };

    // A run without receivers has no delivery latency; JSON has no NaN, so such figures are null.
    private static JsonNode? Rounded(double value, int digits) => double.IsNaN(value) ? null : Math.Round(value, digits);

    private static LatencyCurve Curve(string shape, string series, LongHistogram h)
    {
        var points = new List<(double, double)>();
        if (h.TotalCount > 0)
            foreach (var p in new[] { 1.0, 10, 25, 50, 75, 90, 95, 97, 99, 99.5, 99.9, 99.99, 100 })
                points.Add((p, h.GetValueAtPercentile(p) / 1000.0));
        return new LatencyCurve(shape, series, points);
    }
}
