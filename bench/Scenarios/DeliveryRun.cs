using System.Diagnostics;
using HdrHistogram;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>Which transport each receiver uses.</summary>
public enum ReceiverMix { LongPoll, WebSocket, Half }

public sealed record DeliveryOutcome(
    LongHistogram Latency,
    LongHistogram LongPollLatency,
    LongHistogram WebSocketLatency,
    long Sent,
    long SendErrors,
    long Expected,
    long Delivered,
    long Duplicates,
    long ReceiveErrors,
    double OfferedRate,
    double AckedRate,
    double GeneratorCpuPercent,
    double ServerCpuPercent)
{
    public long Lost => Expected - Delivered;

    public double Ms(double percentile) => Latency.TotalCount == 0 ? double.NaN : Latency.GetValueAtPercentile(percentile) / 1000.0;
    public double MaxMs => Latency.TotalCount == 0 ? double.NaN : Latency.GetMaxValue() / 1000.0;
}

/// <summary>
/// One delivery measurement: receivers connected, then an open-loop sender (messages are started on schedule
/// whether or not earlier ones were answered), then a drain until every delivery arrived or the timeout passed.
/// </summary>
public static class DeliveryRun
{
    private static int _runs;

    public static async Task<DeliveryOutcome> RunAsync(IChatTarget target, IReadOnlyList<BenchRoom> rooms, ReceiverMix mix,
        double rate, TimeSpan warmup, TimeSpan duration, TimeSpan drainTimeout, Process? server, CancellationToken ct)
    {
        var tracker = new DeliveryTracker();
        var receiveErrorsBefore = ReceiverLoop.Errors;
        var seats = rooms.SelectMany(r => r.ReceiverTokens.Select(t => (Room: r, Token: t))).ToList();
        var receivers = new IAsyncDisposable[seats.Count];
        await Parallel.ForAsync(0, seats.Count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, ct) =>
        {
            var transport = mix switch
            {
                ReceiverMix.LongPoll => Transport.LongPoll,
                ReceiverMix.WebSocket => Transport.WebSocket,
                _ => i % 2 == 0 ? Transport.LongPoll : Transport.WebSocket,
            };
            receivers[i] = await target.ConnectAsync(seats[i].Room, seats[i].Token, transport, id => tracker.Arrived(id, transport), ct);
        });

        var prefix = $"r{Interlocked.Increment(ref _runs)}x{Environment.TickCount64 % 100000}";
        var total = (long)(rate * (warmup + duration).TotalSeconds);
        var warmupCount = (long)(rate * warmup.TotalSeconds);
        var sends = new List<Task>((int)total);
        long errors = 0;
        var cpu = new CpuMeter(server);
        var start = Stopwatch.GetTimestamp();
        long lastAck = start;
        for (long i = 0; i < total; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000)
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
            var room = rooms[(int)(i % rooms.Count)];
            var id = $"{prefix}-{i}";
            tracker.Sending(id, room.ReceiverTokens.Count, i >= warmupCount);
            sends.Add(SendOneAsync(room, id));
        }
        await Task.WhenAll(sends);
        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var drainUntil = Stopwatch.GetTimestamp() + (long)(drainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (tracker.Delivered < tracker.Expected && Stopwatch.GetTimestamp() < drainUntil)
            await Task.Delay(20, ct);
        var (generatorCpu, serverCpu) = cpu.Stop();
        await Parallel.ForEachAsync(receivers, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (r, _) => await r.DisposeAsync());
        var ackSeconds = (double)(Interlocked.Read(ref lastAck) - start) / Stopwatch.Frequency;

        return new DeliveryOutcome(tracker.Histogram(null), tracker.Histogram(Transport.LongPoll), tracker.Histogram(Transport.WebSocket), total, errors, tracker.Expected, tracker.Delivered, tracker.Duplicates,
            ReceiverLoop.Errors - receiveErrorsBefore, total / Math.Max(sendSeconds, 1e-9), (total - errors) / Math.Max(ackSeconds, 1e-9),
            generatorCpu, serverCpu);

        async Task SendOneAsync(BenchRoom room, string id)
        {
            try
            {
                await target.SendAsync(room, id, ct);
                var now = Stopwatch.GetTimestamp();
                long seen;
                while (now > (seen = Interlocked.Read(ref lastAck)) && Interlocked.CompareExchange(ref lastAck, now, seen) != seen) { }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }
}
