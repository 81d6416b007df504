namespace Homeserver.Core.Observability;

/// <summary>
/// Durations over a sliding window of seconds, kept as a histogram per second with buckets 20% apart from 1 ms to about
/// a minute, so memory stays fixed whatever the traffic and a percentile is off by at most one bucket's width.
/// </summary>
internal sealed class LatencyWindow
{
    private const double Smallest = 0.001;
    private const double Growth = 1.2;
    private const int Buckets = 62;

    private readonly int[][] _histograms;
    private readonly long[] _seconds;
    private readonly Lock _lock = new();

    public LatencyWindow(int seconds)
    {
        _histograms = Enumerable.Range(0, seconds).Select(_ => new int[Buckets]).ToArray();
        _seconds = new long[seconds];
    }

    public void Record(long second, double duration)
    {
        var bucket = duration <= Smallest ? 0 : Math.Min(Buckets - 1, (int)Math.Ceiling(Math.Log(duration / Smallest, Growth)));
        var i = (int)(second % _seconds.Length);
        lock (_lock)
        {
            if (_seconds[i] != second)
            {
                _seconds[i] = second;
                Array.Clear(_histograms[i]);
            }
            _histograms[i][bucket]++;
        }
    }

    /// <summary>How many durations the window up to <paramref name="now"/> holds, and the bucket bound of each quantile (null when empty).</summary>
    public (long Count, double?[] Quantiles) Read(long now, double[] quantiles)
    {
        var merged = new long[Buckets];
        lock (_lock)
        {
            for (var i = 0; i < _seconds.Length; i++)
                if (_seconds[i] > now - _seconds.Length && _seconds[i] <= now)
                    for (var b = 0; b < Buckets; b++)
                        merged[b] += _histograms[i][b];
        }
        var count = merged.Sum();
        return (count, quantiles.Select(q => count == 0 ? (double?)null : UpperBound(merged, (long)Math.Ceiling(q * count))).ToArray());
    }

    private static double UpperBound(long[] histogram, long rank)
    {
        long seen = 0;
        for (var b = 0; b < Buckets; b++)
        {
            seen += histogram[b];
            if (seen >= rank)
                return Smallest * Math.Pow(Growth, b);
        }
        return Smallest * Math.Pow(Growth, Buckets - 1);
    }
}
