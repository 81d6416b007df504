using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.State.Resolution;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Federation.Reads;

/// <summary>
/// The checks every federation read of a room makes, in one place so none is skipped: the room's server ACL, the
/// event being of the room, and history visibility for the asking server (whole, redacted or refused).
/// </summary>
public sealed class FederationRoomAccess(RoomStore rooms, EventStore events, StateService state, ServerAcls acls, ServerVisibilityService visibility)
{
    public const string EventNotFound = "Event not found";
    public const string NotInRoom = "Your server has no access to this room";
    public const string EventHidden = "Your server may not see the room at this event";

    /// <summary>The room's version, once the server has passed the room's ACL.</summary>
    /// <exception cref="MatrixException">404 for an unknown room; 403 for a server the ACL denies.</exception>
    public async Task<RoomVersion> EnterAsync(RoomId roomId, string origin, CancellationToken ct)
    {
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        await acls.EnsureAllowedAsync(roomId, origin, ct);
        return version;
    }

    /// <summary>The event, when it is one of the room's; any other, unknown or of another room, is a 404.</summary>
    public async Task<EventRow> EventOfRoomAsync(RoomId roomId, EventId eventId, CancellationToken ct)
    {
        var row = await events.GetAsync(eventId.ToString(), ct);
        return row is not null && row.RoomId == roomId.ToString() ? row : throw MatrixException.NotFound(EventNotFound);
    }

    /// <summary>Refuses a server that may not see the event itself, for reads that reveal the room as it stood there.</summary>
    public async Task EnsureMaySeeAsync(string origin, RoomId roomId, RoomVersion version, EventRow row, CancellationToken ct)
    {
        var inRoom = await visibility.IsInRoomAsync(roomId, origin, ct);
        if (!(await visibility.CanSeeAsync(origin, version, [row], inRoom, ct))[0])
            throw MatrixException.Forbidden(EventHidden);
    }

    /// <summary>
    /// Refuses a server that may not read the room at all: one neither in it now nor reading a room that is world
    /// readable now. A server that may is served the events it may not see redacted. Whether it is in the room now.
    /// </summary>
    public async Task<bool> EnsureMaySeeRoomAsync(string origin, RoomId roomId, RoomVersion version, CancellationToken ct)
    {
        var inRoom = await visibility.IsInRoomAsync(roomId, origin, ct);
        if (!inRoom && !await visibility.IsWorldReadableNowAsync(roomId, version, ct))
            throw MatrixException.Forbidden(NotInRoom);
        return inRoom;
    }

    /// <summary>The rows as PDUs for the server, those it may not see redacted.</summary>
    public async Task<IReadOnlyList<JsonObject>> FormatAsync(string origin, RoomVersion version, IReadOnlyList<EventRow> rows, bool inRoomNow,
        CancellationToken ct)
    {
        var seen = await visibility.CanSeeAsync(origin, version, rows, inRoomNow, ct);
        return rows.Select((row, i) => FederationPdu.Format(row, version, seen[i])).ToList();
    }

    /// <summary>Whether the server sees the one event whole, or redacted; refused when it may not read the room at all.</summary>
    public async Task<JsonObject> FormatOneAsync(string origin, RoomId roomId, RoomVersion version, EventRow row, CancellationToken ct)
    {
        var inRoom = await visibility.IsInRoomAsync(roomId, origin, ct);
        var seen = (await visibility.CanSeeAsync(origin, version, [row], inRoom, ct))[0];
        if (!seen && !inRoom && !await visibility.IsWorldReadableNowAsync(roomId, version, ct))
            throw MatrixException.Forbidden(NotInRoom);
        return FederationPdu.Format(row, version, seen);
    }

    /// <summary>
    /// Events named by a state or an auth chain, whole (redacted only if redacted): the server has been let see the
    /// room where they apply. Oldest first.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> WholePdusAsync(IReadOnlyCollection<string> eventIds, RoomVersion version, CancellationToken ct)
    {
        var rows = await events.GetManyAsync(eventIds, ct);
        return rows.Values.OrderBy(r => r.Depth).ThenBy(r => r.StreamOrdering).Select(r => FederationPdu.Format(r, version, visible: true)).ToList();
    }

    /// <summary>The auth chains of the events together: their auth events, theirs, and so on, without the events themselves.</summary>
    public async Task<IReadOnlyCollection<string>> AuthChainAsync(RoomId roomId, RoomVersion version, IReadOnlyCollection<EventId> of, CancellationToken ct)
    {
        var events = new ResolutionEvents(new StoredResolutionEvents(state, roomId, version));
        var chain = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in of)
            chain.UnionWith((await events.AuthChainAsync(id, ct)).Select(e => e.ToString()));
        // From room version 12 the room ID names the create event instead of auth_events, but it still authorises
        // every other event, so a receiver checking the chain needs it.
        if (version.RoomIdIsCreateEventId)
        {
            var create = EventId.Sigil + roomId.Opaque;
            if (of.Any(e => e.ToString() != create))
                chain.Add(create);
        }
        return chain;
    }
}
