using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Reads;

/// <summary>One event (<c>/event</c>) and an event's auth chain (<c>/event_auth</c>) for another server.</summary>
public sealed class FederationEventReads(EventStore events, FederationRoomAccess access)
{
    /// <summary>The event, whole or redacted as the server may see it.</summary>
    public async Task<JsonObject> EventAsync(string origin, EventId eventId, CancellationToken ct)
    {
        var row = await events.GetAsync(eventId.ToString(), ct) ?? throw MatrixException.NotFound(FederationRoomAccess.EventNotFound);
        var roomId = RoomId.Parse(row.RoomId);
        var version = await access.EnterAsync(roomId, origin, ct);
        return await access.FormatOneAsync(origin, roomId, version, row, ct);
    }

    /// <summary>The event's auth events, theirs, and so on to the create event, oldest first.</summary>
    public async Task<IReadOnlyList<JsonObject>> AuthChainAsync(string origin, RoomId roomId, EventId eventId, CancellationToken ct)
    {
        var version = await access.EnterAsync(roomId, origin, ct);
        var row = await access.EventOfRoomAsync(roomId, eventId, ct);
        await access.EnsureMaySeeAsync(origin, roomId, version, row, ct);
        return await access.WholePdusAsync(await access.AuthChainAsync(roomId, version, [eventId], ct), version, ct);
    }
}
