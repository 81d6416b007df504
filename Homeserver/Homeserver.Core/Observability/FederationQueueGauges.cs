using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Homeserver.Core.Observability;

/// <summary>
/// The federation queues' state per destination, read at each scrape from the senders of this process: what waits for
/// each destination and how long it is backed off. Only destinations with a backlog or a backoff are reported, at most
/// <see cref="MaxDestinations"/> of them (the largest backlogs), so the series stay few however many servers we know.
/// </summary>
public static class FederationQueueGauges
{
    public const int MaxDestinations = 100;

    /// <param name="Pending">PDUs and EDUs queued for the destination, those of a transaction in flight included.</param>
    /// <param name="RetryIntervalMs">The wait after its last failure before the next try; 0 while it is up.</param>
    public sealed record Destination(string Name, long Pending, long RetryIntervalMs);

    private static readonly ConcurrentDictionary<Func<IEnumerable<Destination>>, byte> Sources = new();

    /// <summary>Adds a sender's destinations to the gauges until the returned handle is disposed.</summary>
    public static IDisposable Register(Func<IEnumerable<Destination>> source)
    {
        Sources[source] = 0;
        return new Registration(source);
    }

    internal static IEnumerable<Measurement<long>> Pending() =>
        Reported().Where(d => d.Pending > 0).Select(d => new Measurement<long>(d.Pending, Tag(d)));

    internal static IEnumerable<Measurement<double>> RetryInterval() =>
        Reported().Where(d => d.RetryIntervalMs > 0).Select(d => new Measurement<double>(d.RetryIntervalMs / 1000.0, Tag(d)));

    private static List<Destination> Reported() =>
        Sources.Keys.SelectMany(s => s()).Where(d => d.Pending > 0 || d.RetryIntervalMs > 0)
            .OrderByDescending(d => d.Pending).ThenBy(d => d.Name, StringComparer.Ordinal).Take(MaxDestinations).ToList();

    private static KeyValuePair<string, object?> Tag(Destination d) => new("destination", d.Name);

    private sealed class Registration(Func<IEnumerable<Destination>> source) : IDisposable
    {
        public void Dispose() => Sources.TryRemove(source, out _);
    }
}
