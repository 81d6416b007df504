using System.Collections.Concurrent;

namespace Homeserver.Core.Concurrency;

/// <summary>
/// At most one run of some work per key at a time in this process: a caller arriving while the key's run is under way
/// shares its outcome instead of starting another. The run is forgotten once it ends, so a later caller starts afresh
/// (callers keep what lasts, e.g. in the database).
/// </summary>
public sealed class SingleFlight<TKey, TResult> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TResult>>> _flights = new();

    /// <param name="work">
    /// Runs without <paramref name="ct"/>: one caller giving up must not fail the others sharing the run, so the work
    /// bounds its own time.
    /// </param>
    public Task<TResult> RunAsync(TKey key, Func<Task<TResult>> work, CancellationToken ct)
    {
        var flight = _flights.GetOrAdd(key, k => new Lazy<Task<TResult>>(() => RunThenForgetAsync(k, work)));
        return flight.Value.WaitAsync(ct);
    }

    private async Task<TResult> RunThenForgetAsync(TKey key, Func<Task<TResult>> work)
    {
        try
        {
            return await work();
        }
        finally
        {
            _flights.TryRemove(key, out _);
        }
    }
}
