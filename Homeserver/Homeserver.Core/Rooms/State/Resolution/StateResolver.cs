using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// Resolves the states after an event's <c>prev_events</c> into the state before it, by the algorithm of the
/// room's version (<see cref="RoomVersion.StateResolution"/>). Pure: the events come from
/// <see cref="IStateResolutionEvents"/>, and the same states give the same result in any order.
/// </summary>
public static class StateResolver
{
    public static async Task<IReadOnlyDictionary<StateEventKey, EventId>> ResolveAsync(
        RoomVersion version, IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states, IStateResolutionEvents source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(source);
        switch (states.Count)
        {
            case 0:
                return new Dictionary<StateEventKey, EventId>();
            case 1:
                return states[0];
        }

        var events = new ResolutionEvents(source);
        return version.StateResolution switch
        {
            StateResolutionAlgorithm.V1 => await StateResolutionV1.ResolveAsync(states, events, ct),
            StateResolutionAlgorithm.V2 or StateResolutionAlgorithm.V2_1 => await StateResolutionV2.ResolveAsync(version, states, events, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(version), version.StateResolution, "Unknown state resolution algorithm."),
        };
    }
}
