using Homeserver.Core.Configuration;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// How long a destination that failed waits before the next try: <c>destination_min_retry_interval</c> after the
/// first failure, then the previous wait times <c>destination_retry_multiplier</c>, up to
/// <c>destination_max_retry_interval</c> (Synapse's scheme, without its random jitter).
/// </summary>
public sealed class DestinationBackoff(FederationOptions options)
{
    public long NextIntervalMs(long previousMs)
    {
        var min = (long)options.DestinationMinRetryInterval.Value.TotalMilliseconds;
        var max = (long)options.DestinationMaxRetryInterval.Value.TotalMilliseconds;
        if (previousMs <= 0)
            return min;
        var next = previousMs * options.DestinationRetryMultiplier;
        return next >= max ? max : Math.Max(min, (long)next);
    }
}
