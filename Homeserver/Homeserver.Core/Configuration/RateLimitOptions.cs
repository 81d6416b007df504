namespace Homeserver.Core.Configuration;

public sealed class RateLimitOptions
{
    public double PerSecond { get; set; }
    public int BurstCount { get; set; }
}
