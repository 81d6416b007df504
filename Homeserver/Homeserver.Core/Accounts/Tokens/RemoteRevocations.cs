using Homeserver.Core.Streams;

namespace Homeserver.Core.Accounts.Tokens;

/// <summary>
/// Takes other nodes' session revocations into this node's session cache, so a token revoked on one node is refused
/// on every node at once. This node's own revocations are already in the cache before they are published.
/// </summary>
public sealed class RemoteRevocations(SessionValidator validator) : IStreamSubscriber
{
    public IReadOnlyCollection<string> Streams => [StreamNames.Sessions];

    public ValueTask OnUpdateAsync(StreamUpdate update, CancellationToken ct)
    {
        if (update.Everyone)
            validator.ForgetAll();
        else if (update.Origin is not null)
            validator.ForgetUsers(update.Users);
        return ValueTask.CompletedTask;
    }
}
