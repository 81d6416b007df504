using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Three nodes of one homeserver on one PostgreSQL database with Redis between them: the delivery latency when the
/// sender's node is not the receivers' (against both on one node, the same run's baseline), and the highest rate
/// sustained by one, two and three nodes. On a machine of few cores more nodes cannot add speed; the figures say
/// what the hop between nodes costs.
/// </summary>
public static class ClusterScenario
{
    private const string Name = "cluster";
    private const int Nodes = 3;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var repo = HomeserverLauncher.FindRepoRoot();
        await using var ownPostgres = ctx.Postgres is null ? await ThrowawayPostgres.StartAsync(repo, ct) : null;
        await using var redis = await ThrowawayRedis.StartAsync(repo, ct);
        var database = await (ctx.Postgres ?? ownPostgres!).CreateDatabaseAsync(ct);
        var keys = Directory.CreateTempSubdirectory("hs-bench-keys-");
        var processes = new List<ChildProcess>();
        var targets = new List<MatrixTarget>();
        try
        {
            // One after another: the first node creates the keys the others then read.
            for (var i = 0; i < Nodes; i++)
            {
                var instance = await ctx.Homeserver.CreateAsync(ct, node: new ClusterNode(database, redis.Address, keys.FullName, $"node{i + 1}"));
                processes.Add(await instance.StartAsync(ct));
                targets.Add(new MatrixTarget(processes[^1].BaseAddress, ctx.Connector(o.ClusterRooms)));
            }
            var oneNode = new ClusterTarget(targets.Take(1).ToList());
            var rooms = await oneNode.CreateRoomsAsync(o.ClusterRooms, 1, ct);
            var acrossTwo = new ClusterTarget(targets.Take(2).ToList());
            acrossTwo.Place(rooms);
            foreach (var p in processes)
                await p.WaitQuietAsync(TimeSpan.FromSeconds(30), ct);

            var within = await DeliveryRun.RunAsync(oneNode, rooms, ReceiverMix.LongPoll, o.DirectSendRate, o.Warmup, o.Duration, o.DrainTimeout, processes[0].Process, ct);
            var across = await DeliveryRun.RunAsync(acrossTwo, rooms, ReceiverMix.LongPoll, o.DirectSendRate, o.Warmup, o.Duration, o.DrainTimeout, processes[0].Process, ct);
            HopLatency.Report(ctx, Name, across, "latency across nodes", within, "latency within one node");

            double? single = null;
            for (var n = 1; n <= Nodes; n++)
            {
                var cluster = new ClusterTarget(targets.Take(n).ToList());
                cluster.Place(rooms);
                var rate = await RateRamp.RunAsync(ctx, Name, $"steps on {cluster.Name}", cluster, rooms, ReceiverMix.LongPoll, o.ThroughputStartRate,
                    processes[0].Process, ct, RateRamp.MaxLagMs);
                single ??= rate;
                ctx.Results.Add(new Measurement($"{Name} throughput", $"{cluster.Name}: highest sustained rate, zero loss, p99 within {RateRamp.MaxLagMs:0} ms",
                    rate, "msg/s", n == 1 ? null : single));
            }
        }
        finally
        {
            foreach (var t in targets)
                await t.DisposeAsync();
            foreach (var p in processes)
                await p.DisposeAsync();
            keys.Delete(recursive: true);
        }
    }
}
