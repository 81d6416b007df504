using System.Diagnostics;
using HdrHistogram;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>Which transport each receiver uses; <c>None</c> connects no receiver, so only the send path is measured.</summary>
public enum ReceiverMix { LongPoll, WebSocket, Half, None }

public sealed record DeliveryOutcome(
    LongHistogram Latency,
    LongHistogram LongPollLatency,
    LongHistogram WebSocketLatency,
    LongHistogram SendLatency,
    long Sent,
    long SendErrors,
    long Expected,
    long Delivered,
    long Duplicates,
    long ReceiveErrors,
    /// <summary>Messages over the time from the first send to the last answer.</summary>
    double OfferedRate,
    double AckedRate,
    double GeneratorCpuPercent,
    double ServerCpuPercent,
    double ServerCpuSeconds)
{
    public long Lost => Expected - Delivered;

    /// <summary>Server CPU time per delivered message: the cost of the work itself, whatever else runs on the machine.</summary>
    public double ServerCpuMicrosPerDelivery => Delivered == 0 ? double.NaN : ServerCpuSeconds * 1e6 / Delivered;

    /// <summary>Server CPU time per message sent, its delivery included when anyone receives it.</summary>
    public double ServerCpuMicrosPerSend => Sent == 0 ? double.NaN : ServerCpuSeconds * 1e6 / Sent;

    public double Ms(double percentile) => Latency.TotalCount == 0 ? double.NaN : Latency.GetValueAtPercentile(percentile) / 1000.0;
    public double MaxMs => Latency.TotalCount == 0 ? double.NaN : Latency.GetMaxValue() / 1000.0;

    /// <summary>How long the send request itself took to be answered.</summary>
    public double SendMs(double percentile) => SendLatency.TotalCount == 0 ? double.NaN : SendLatency.GetValueAtPercentile(percentile) / 1000.0;
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
        var seats = mix == ReceiverMix.None ? [] : rooms.SelectMany(r => r.ReceiverTokens.Select(t => (Room: r, Token: t))).ToList();
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

        Console.WriteLine($"  {target.Name}: {seats.Count} receivers ({mix}) connected, sending {rate:0.#} msg/s");
        var prefix = $"r{Interlocked.Increment(ref _runs)}x{Environment.TickCount64 % 100000}";
        var total = (long)(rate * (warmup + duration).TotalSeconds);
        var warmupCount = (long)(rate * warmup.TotalSeconds);
        var sends = new List<Task>((int)total);
        long errors = 0;
        var sendLatency = new LongHistogram(120_000_000, 3);
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
            tracker.Sending(id, mix == ReceiverMix.None ? 0 : room.ReceiverTokens.Count, i >= warmupCount);
            sends.Add(SendOneAsync(room, id));
        }
        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Task.WhenAll(sends);
        var drainUntil = Stopwatch.GetTimestamp() + (long)(drainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (tracker.Delivered < tracker.Expected && Stopwatch.GetTimestamp() < drainUntil)
            await Task.Delay(20, ct);
        var (generatorCpu, serverCpu, serverSeconds) = cpu.Stop();
        await Parallel.ForEachAsync(receivers, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (r, _) => await r.DisposeAsync());
        var ackSeconds = (double)(Interlocked.Read(ref lastAck) - start) / Stopwatch.Frequency;

        return new DeliveryOutcome(tracker.Histogram(null), tracker.Histogram(Transport.LongPoll), tracker.Histogram(Transport.WebSocket), sendLatency, total, errors, tracker.Expected, tracker.Delivered, tracker.Duplicates,
            ReceiverLoop.Errors - receiveErrorsBefore, total / Math.Max(sendSeconds, 1e-9), (total - errors) / Math.Max(ackSeconds, 1e-9),
            generatorCpu, serverCpu, serverSeconds);

        async Task SendOneAsync(BenchRoom room, string id)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await target.SendAsync(room, id, ct);
                var now = Stopwatch.GetTimestamp();
                lock (sendLatency)
                    sendLatency.RecordValue(Math.Max(1, (now - started) * 1_000_000 / Stopwatch.Frequency));
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
