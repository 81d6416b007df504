using Homeserver.Core.Errors;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms;

/// <summary>
/// Event types whose meaning the server acts on, refused in the shape no dedicated path would create them: the
/// generic send and state endpoints must not reach what the auth rules alone would let through or fail on.
/// </summary>
public static class ClientEventTypes
{
    public static void EnsureSendable(string type, string? stateKey)
    {
        switch (type)
        {
            // As Synapse does, a second create event is refused outright rather than built (from v12 a create event
            // carries no room ID, so it could not even name this room).
            case EventTypes.Create:
                throw MatrixException.Forbidden("A room's create event is sent only by createRoom and room upgrades");
            case EventTypes.Redaction when stateKey is not null:
                throw MatrixException.BadJson("m.room.redaction is not a state event");
            case EventTypes.Member when stateKey is null:
                throw MatrixException.BadJson("m.room.member is a state event; use the membership endpoints");
        }
    }
}
