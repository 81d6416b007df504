using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms.Visibility;

/// <summary>
/// The one check of an event a request names in a room. An unknown event, one of another room and one the user may
/// not see all get the same 404 (not 403), so no answer tells them apart and a request cannot probe for event IDs.
/// </summary>
public sealed class RoomEventGuard(EventStore events, VisibilityService visibility)
{
    public const string NotFound = "Event not found";

    /// <summary>
    /// The event, when it is of the room. Receipts and redactions ask only this, as Synapse does: a member may mark
    /// or redact an event of the room that history visibility hides from them.
    /// </summary>
    public async Task<EventRow> InRoomAsync(RoomId roomId, EventId eventId, CancellationToken ct, string notFound = NotFound)
    {
        var row = await events.GetAsync(eventId.ToString(), ct);
        return row is not null && row.RoomId == roomId.ToString() ? row : throw MatrixException.NotFound(notFound);
    }

    /// <summary>The event, when it is of the room and the user may see it (<c>/event</c>, <c>/context</c>, <c>/relations</c>, reports).</summary>
    public async Task<EventRow> VisibleAsync(UserId userId, RoomId roomId, RoomVersion version, EventId eventId, CancellationToken ct, string notFound = NotFound)
    {
        var row = await InRoomAsync(roomId, eventId, ct, notFound);
        return await visibility.CanSeeAsync(userId, version, row, ct) ? row : throw MatrixException.NotFound(notFound);
    }
}
