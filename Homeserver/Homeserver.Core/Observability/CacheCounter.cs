namespace Homeserver.Core.Observability;

/// <summary>Counts one cache's look-ups as <see cref="HomeserverMetrics.CacheRequests"/>, tagged with its name and the result.</summary>
public sealed class CacheCounter(string name)
{
    private readonly KeyValuePair<string, object?> _name = new("cache.name", name);

    /// <summary>Records the look-up and passes its result on: <c>if (counter.Found(cache.TryGetValue(…)))</c>.</summary>
    public bool Found(bool hit)
    {
        HomeserverMetrics.CacheRequests.Add(1, _name, hit ? MetricTags.Hit : MetricTags.Miss);
        return hit;
    }
}
