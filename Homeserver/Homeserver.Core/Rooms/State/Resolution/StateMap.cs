using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>Helpers for a room state as state resolution sees it: (type, state_key) → event ID.</summary>
public static class StateMap
{
    public static StateEventKey KeyOf(Events.Pdu stateEvent)
    {
        ArgumentNullException.ThrowIfNull(stateEvent);
        return new StateEventKey(stateEvent.Type, stateEvent.StateKey ?? throw new ArgumentException($"{stateEvent} is not a state event.", nameof(stateEvent)));
    }

    /// <summary>A state of stored IDs (state groups hold them as text) in typed form.</summary>
    public static Dictionary<StateEventKey, EventId> Parse(IReadOnlyDictionary<StateEventKey, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.ToDictionary(e => e.Key, e => EventId.Parse(e.Value));
    }
}
