using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// A room's state at some point: the map from state key to event ID, and the stored snapshot (state group) it is;
/// no group only before the room's create event.
/// </summary>
public sealed record RoomState(IReadOnlyDictionary<StateEventKey, string> Map, long? Group)
{
    public static RoomState Empty { get; } = new(new Dictionary<StateEventKey, string>(), null);
}
