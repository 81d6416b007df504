using Homeserver.Bench.Baselines;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Server RSS idle and with growing numbers of idle syncing connections, per transport, each on a fresh
/// process; the same against bare Kestrel. Bytes per connection is the growth over idle divided by the count.
/// </summary>
public static class MemoryScenario
{
    private const int Users = 100;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var counts = ctx.Options.ConnectionCounts.Order().ToList();
        foreach (var transport in Enum.GetValues<Transport>())
        {
            var kind = transport == Transport.WebSocket ? "WebSocket" : "long polling";
            Console.WriteLine($"memory: {kind}");
            var hs = await MeasureAsync(ctx, homeserver: true, transport, counts, ct);
            var bl = await MeasureAsync(ctx, homeserver: false, transport, counts, ct);
            ctx.Results.Add(new Measurement($"memory {kind}", "server RSS idle", Mib(hs.Idle), "MiB", Mib(bl.Idle)));
            for (var i = 0; i < counts.Count; i++)
            {
                ctx.Results.Add(new Measurement($"memory {kind}", $"server RSS with {counts[i]:N0} connections", Mib(hs.WithConnections[i]), "MiB", Mib(bl.WithConnections[i])));
                var perHs = (hs.WithConnections[i] - hs.Idle) / 1024.0 / counts[i];
                var perBl = (bl.WithConnections[i] - bl.Idle) / 1024.0 / counts[i];
                var isTarget = transport == Transport.WebSocket && i == counts.Count - 1;
                ctx.Results.Add(new Measurement($"memory {kind}", $"per connection at {counts[i]:N0}", perHs, "KiB", perBl,
                    isTarget ? "<= 32 KiB, <= 2x baseline" : null, isTarget ? perHs <= 32 && perHs <= 2 * perBl : null));
            }
        }
    }

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;

    private static async Task<(long Idle, List<long> WithConnections)> MeasureAsync(BenchContext ctx, bool homeserver, Transport transport,
        IReadOnlyList<int> counts, CancellationToken ct)
    {
        var max = counts[^1];
        await using var process = homeserver ? (await ctx.StartHomeserverAsync(ct)).Process : await BenchContext.StartBaselineAsync(ct);
        await using IChatTarget target = homeserver
            ? new MatrixTarget(process.BaseAddress, ctx.Connector(max))
            : new BaselineTarget(process.BaseAddress, ctx.Connector(max));
        var rooms = await target.CreateRoomsAsync(Math.Min(Users, max), 1, ct);
        var idle = await process.SettledRssAsync(ctx.Options.SettleInterval, ct);
        var connections = new List<IAsyncDisposable>();
        var rss = new List<long>();
        try
        {
            foreach (var count in counts)
            {
                var more = new IAsyncDisposable[count - connections.Count];
                var offset = connections.Count;
                await Parallel.ForAsync(0, more.Length, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, ct) =>
                {
                    var room = rooms[(offset + i) % rooms.Count];
                    more[i] = await target.ConnectAsync(room, room.ReceiverTokens[0], transport, _ => { }, ct);
                });
                connections.AddRange(more);
                rss.Add(await process.SettledRssAsync(ctx.Options.SettleInterval, ct));
            }
        }
        finally
        {
            await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.DisposeAsync());
        }
        return (idle, rss);
    }
}
