using System.Diagnostics.CodeAnalysis;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// The state an event is authorised against: either the map built from the event's own
/// <c>auth_events</c>, or the room state before the event, or the current room state (server-server
/// API, "Checks performed on receipt of a PDU", steps 4 to 6). The rules only ever look entries up.
/// </summary>
/// <remarks>
/// In room version 12 the create event is never among <c>auth_events</c> (its ID is the room ID), but the
/// rules still read it; the caller adds it to the map, as <see cref="AuthStateMap"/> callers do.
/// </remarks>
public interface IAuthState
{
    bool TryGet(string type, string stateKey, [NotNullWhen(true)] out Pdu? stateEvent);

    /// <summary>The state event at (<paramref name="type"/>, <paramref name="stateKey"/>), or null.</summary>
    Pdu? Get(string type, string stateKey) => TryGet(type, stateKey, out Pdu? stateEvent) ? stateEvent : null;
}
