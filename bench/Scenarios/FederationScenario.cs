using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;
using Homeserver.Testing;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Two servers of ours federating on loopback: messages sent on one reach clients syncing on the other. The
/// delivery latency and the highest rate sustained with zero loss are measured side by side with the same load
/// delivered within the sending server, which is the baseline: the ratio is the cost of the hop between servers.
/// </summary>
public static class FederationScenario
{
    private const string Name = "federation";
    private const double RateGoal = 1000;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        using var ca = TestCertificateAuthority.Create();
        var originInstance = await ctx.Homeserver.CreateAsync(ct, FederationListener.Issue(ca));
        var remoteInstance = await ctx.Homeserver.CreateAsync(ct, FederationListener.Issue(ca));
        await using var origin = await originInstance.StartAsync(ct);
        await using var remote = await remoteInstance.StartAsync(ct);
        await using var local = new MatrixTarget(origin.BaseAddress, ctx.Connector(o.FederationRooms));
        await using var remoteClients = new MatrixTarget(remote.BaseAddress, ctx.Connector(o.FederationRooms));
        await using var federated = new FederatedTarget(local, originInstance.ServerName, remoteClients);

        var localRooms = await local.CreateRoomsAsync(o.FederationRooms, 1, ct);
        var federatedRooms = await federated.CreateRoomsAsync(o.FederationRooms, 1, ct);
        var settled = await origin.WaitQuietAsync(TimeSpan.FromSeconds(60), ct) + await remote.WaitQuietAsync(TimeSpan.FromSeconds(60), ct);
        Console.WriteLine($"  servers busy for {settled.TotalSeconds:0.0} s after setup");

        var within = await DeliveryRun.RunAsync(local, localRooms, ReceiverMix.LongPoll, o.DirectSendRate, o.Warmup, o.Duration, o.DrainTimeout, origin.Process, ct);
        var across = await DeliveryRun.RunAsync(federated, federatedRooms, ReceiverMix.LongPoll, o.DirectSendRate, o.Warmup, o.Duration, o.DrainTimeout, origin.Process, ct);
        HopLatency.Report(ctx, Name, across, "latency across servers", within, "latency within the sending server");

        var withinRate = await RateRamp.RunAsync(ctx, Name, "steps within the sending server", local, localRooms, ReceiverMix.LongPoll, o.ThroughputStartRate, origin.Process, ct, RateRamp.MaxLagMs);
        var acrossRate = await RateRamp.RunAsync(ctx, Name, "steps across servers", federated, federatedRooms, ReceiverMix.LongPoll, o.ThroughputStartRate, origin.Process, ct, RateRamp.MaxLagMs);
        ctx.Results.Add(new Measurement($"{Name} throughput", $"highest sustained rate, zero loss, p99 delivery within {RateRamp.MaxLagMs:0} ms", acrossRate, "msg/s", withinRate,
            $">= {RateGoal:0} msg/s", acrossRate >= RateGoal));
    }
}
