namespace Homeserver.Core.Observability;

/// <summary>
/// A count per second over a sliding window, in a ring indexed by the second: a slot still holding an older second is
/// reset when reused, so nothing needs sweeping.
/// </summary>
internal sealed class SecondCounts(int seconds)
{
    private readonly long[] _counts = new long[seconds];
    private readonly long[] _seconds = new long[seconds];
    private readonly Lock _lock = new();

    public void Add(long second)
    {
        var i = (int)(second % _counts.Length);
        lock (_lock)
        {
            if (_seconds[i] != second)
                (_seconds[i], _counts[i]) = (second, 0);
            _counts[i]++;
        }
    }

    /// <summary>The count of the <paramref name="last"/> seconds up to <paramref name="now"/>, this one included.</summary>
    public long Sum(long now, int last)
    {
        lock (_lock)
        {
            long sum = 0;
            for (var i = 0; i < _counts.Length; i++)
                if (_seconds[i] > now - last && _seconds[i] <= now)
                    sum += _counts[i];
            return sum;
        }
    }
}
