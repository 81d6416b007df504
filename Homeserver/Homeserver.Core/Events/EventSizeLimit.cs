namespace Homeserver.Core.Events;

/// <summary>Which of the spec's event size limits was exceeded (client-server API, "Size limits").</summary>
public enum EventSizeLimit
{
    /// <summary>The whole PDU, signatures included, as canonical JSON: 65,536 bytes.</summary>
    Event,

    /// <summary><c>sender</c>: 255 bytes, the user ID limit.</summary>
    Sender,

    /// <summary><c>room_id</c>: 255 bytes, the room ID limit.</summary>
    RoomId,

    /// <summary><c>state_key</c>: 255 bytes.</summary>
    StateKey,

    /// <summary><c>type</c>: 255 bytes.</summary>
    Type,

    /// <summary><c>event_id</c>: 255 bytes, the event ID limit.</summary>
    EventId,
}
