namespace Homeserver.Core.Push;

/// <summary>
/// Raised after an event's push actions are committed (table <c>event_push_actions</c>), with the users it
/// notifies. The table is the durable queue; this signal only spares push delivery from polling it.
/// </summary>
public sealed class PushActionsSignal
{
    public event Action<IReadOnlyCollection<string>>? Committed;

    public void Raise(IReadOnlyCollection<string> userIds)
    {
        if (userIds.Count > 0)
            Committed?.Invoke(userIds);
    }
}
