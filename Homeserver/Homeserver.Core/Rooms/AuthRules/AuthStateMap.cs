using System.Diagnostics.CodeAnalysis;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>An in-memory <see cref="IAuthState"/>: (type, state_key) → state event.</summary>
public sealed class AuthStateMap : IAuthState
{
    private readonly Dictionary<StateEventKey, Pdu> _events = [];

    public AuthStateMap()
    {
    }

    /// <summary>A map of <paramref name="stateEvents"/>; a later event replaces an earlier one at the same key.</summary>
    public AuthStateMap(IEnumerable<Pdu> stateEvents)
    {
        ArgumentNullException.ThrowIfNull(stateEvents);
        foreach (Pdu stateEvent in stateEvents)
        {
            Set(stateEvent);
        }
    }

    public int Count => _events.Count;

    public IEnumerable<Pdu> Events => _events.Values;

    /// <exception cref="ArgumentException">The event is not a state event.</exception>
    public void Set(Pdu stateEvent)
    {
        ArgumentNullException.ThrowIfNull(stateEvent);
        if (stateEvent.StateKey is not { } stateKey)
        {
            throw new ArgumentException($"{stateEvent} is not a state event.", nameof(stateEvent));
        }

        _events[new StateEventKey(stateEvent.Type, stateKey)] = stateEvent;
    }

    public Pdu? Get(string type, string stateKey) => TryGet(type, stateKey, out Pdu? stateEvent) ? stateEvent : null;

    public bool TryGet(string type, string stateKey, [NotNullWhen(true)] out Pdu? stateEvent) =>
        _events.TryGetValue(new StateEventKey(type, stateKey), out stateEvent);
}
