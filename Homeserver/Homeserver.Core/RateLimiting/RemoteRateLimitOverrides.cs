using Homeserver.Core.Streams;

namespace Homeserver.Core.RateLimiting;

/// <summary>
/// Takes the rate-limit overrides that admins set through other nodes into this node's copy, so they take effect on
/// every node at once. This node's own changes are already in its copy before they are published.
/// </summary>
public sealed class RemoteRateLimitOverrides(RateLimitOverrides overrides) : IStreamSubscriber
{
    public IReadOnlyCollection<string> Streams => [StreamNames.RateLimitOverrides];

    public async ValueTask OnUpdateAsync(StreamUpdate update, CancellationToken ct)
    {
        if (update.Everyone)
            await overrides.ReloadAllAsync(ct);
        else if (update.Origin is not null)
            await overrides.ReloadAsync(update.Users, ct);
    }
}
