using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Matches arrivals to sends: the latency of each delivery is from the start of its send request to its
/// arrival at that receiver, recorded in microseconds per transport.
/// </summary>
public sealed class DeliveryTracker
{
    private const long MaxMicros = 120_000_000;
    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private readonly LongHistogram _longPoll = new(MaxMicros, 3);
    private readonly LongHistogram _webSocket = new(MaxMicros, 3);
    private long _expected;
    private long _delivered;
    private long _duplicates;

    public long Expected => Interlocked.Read(ref _expected);
    public long Delivered => Interlocked.Read(ref _delivered);
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public void Sending(string id, int receivers, bool record)
    {
        _pending[id] = new Pending(Stopwatch.GetTimestamp(), record, receivers);
        Interlocked.Add(ref _expected, receivers);
    }

    public void Arrived(string id, Transport transport)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_pending.TryGetValue(id, out var p))
            return;
        if (Interlocked.Decrement(ref p.Remaining) < 0)
        {
            Interlocked.Increment(ref _duplicates);
            return;
        }
        Interlocked.Increment(ref _delivered);
        if (!p.Record)
            return;
        var micros = Math.Max(1, (now - p.Start) * 1_000_000 / Stopwatch.Frequency);
        var h = transport == Transport.LongPoll ? _longPoll : _webSocket;
        lock (h)
            h.RecordValue(Math.Min(micros, MaxMicros));
    }

    public LongHistogram Histogram(Transport? transport)
    {
        var all = new LongHistogram(MaxMicros, 3);
        if (transport != Transport.WebSocket)
            lock (_longPoll)
                all.Add(_longPoll);
        if (transport != Transport.LongPoll)
            lock (_webSocket)
                all.Add(_webSocket);
        return all;
    }

    private sealed class Pending(long start, bool record, int receivers)
    {
        public readonly long Start = start;
        public readonly bool Record = record;
        public int Remaining = receivers;
    }
}
