using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// A room's stripped state (spec "Stripped state"): what a server needs to show a user an invite or a knock before
/// it holds the room. The create event goes in full from room version 12's era on (clients check it came from the
/// room); the others as type, state key, sender and content, as the client-server API shows them.
/// </summary>
public sealed class StrippedStateReader(RoomStore rooms, CurrentStateStore current, StateService state)
{
    private static readonly string[] Types =
        [EventTypes.Create, EventTypes.JoinRules, "m.room.name", "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic"];

    public async Task<JsonArray> ReadAsync(RoomId roomId, CancellationToken ct)
    {
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        var now = await current.GetStateAsync(roomId.ToString(), ct);
        var stripped = new JsonArray();
        foreach (var type in Types)
            if (await state.GetStateEventAsync(now, type, version, ct) is { } ev)
                stripped.Add(Strip(ev));
        return stripped;
    }

    public static JsonObject Strip(Pdu ev) => new()
    {
        ["type"] = ev.Type,
        ["state_key"] = ev.StateKey,
        ["sender"] = ev.Sender.ToString(),
        ["content"] = ev.Content.DeepClone(),
    };
}
