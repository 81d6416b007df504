using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Push.Delivery;

/// <summary>Loads what a notification shows about an event: the event itself, its sender's display name and the room's name and alias.</summary>
public sealed class PushEventReader(EventStore events, RoomStore rooms, CurrentStateStore currentState, StateService state)
{
    /// <summary>The details, or null when the event is gone.</summary>
    public async Task<PushEventDetails?> ReadAsync(string eventId, CancellationToken ct)
    {
        var row = await events.GetAsync(eventId, ct);
        if (row is null || await rooms.GetAsync(row.RoomId, ct) is not { } room || !RoomVersions.TryGet(room.RoomVersion, out var version))
            return null;
        var json = JsonNode.Parse(row.Json)!.AsObject();
        // Names as they are now: the notification is shown now, beside the room list the client shows now.
        var current = await currentState.GetStateAsync(row.RoomId, ct);
        var member = await state.GetStateEventAsync(current, new StateEventKey(EventTypes.Member, row.Sender), version, ct);
        var alias = await state.GetStateEventAsync(current, DirectoryStateTypes.CanonicalAlias, version, ct);
        return new PushEventDetails(
            row.EventId, row.RoomId, row.EventType, row.Sender, row.StateKey,
            json["content"] as JsonObject,
            member is null ? null : JsonFields.String(member.Content, "displayname"),
            room.Name,
            alias is null ? null : JsonFields.String(alias.Content, "alias"));
    }
}
