using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace Homeserver.Core.Observability;

/// <summary>
/// What this server did lately, for the console's dashboard: events persisted in the last minute and hour, and the
/// rate and latency percentiles of requests over the last minute. Requests are read from ASP.NET Core's own
/// <c>http.server.request.duration</c>, the figure the metrics listener exports, through a listener of this server's
/// meter factory only (another server in the same process has its own). Events are counted by the persister, since our
/// meter is shared by the whole process.
/// </summary>
public sealed class LiveActivity : IHostedService, IDisposable
{
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";
    private const int Hour = 3600;
    private const int Minute = 60;

    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly SecondCounts _events = new(Hour);
    private readonly LatencyWindow _requests = new(Minute);

    public LiveActivity(TimeProvider time, IMeterFactory meters)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration && ReferenceEquals(instrument.Meter.Scope, meters))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => _requests.Record(Now, seconds));
    }

    public sealed record Snapshot(long EventsLastMinute, long EventsLastHour, double RequestsPerSecond,
        double? LatencyP50Seconds, double? LatencyP90Seconds, double? LatencyP99Seconds);

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public void EventPersisted() => _events.Add(Now);

    public Snapshot Read()
    {
        var now = Now;
        var (count, percentiles) = _requests.Read(now, [0.5, 0.9, 0.99]);
        return new Snapshot(_events.Sum(now, Minute), _events.Sum(now, Hour), (double)count / Minute,
            percentiles[0], percentiles[1], percentiles[2]);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
