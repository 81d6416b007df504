using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// A room's stripped state (spec "Stripped state"): what a server needs to show a user an invite or a knock before
/// it holds the room, each event as type, state key, sender and content, as the client-server API shows them.
/// </summary>
public sealed class StrippedStateReader(RoomStore rooms, CurrentStateStore current, StateService state)
{
    /// <summary>Stripped state events kept of what another server sends; a room's descriptive state is a handful.</summary>
    private const int MaxStrippedEvents = 50;

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

    /// <summary>Stripped state another server sent (with an invite, a knock), as clients are shown it: type, state key, sender and content, each a string but content.</summary>
    public static JsonArray Sanitize(JsonNode? sent)
    {
        var kept = new JsonArray();
        foreach (var node in (sent as JsonArray ?? []).Take(MaxStrippedEvents))
        {
            if (node is not JsonObject e || JsonFields.String(e, "type") is not { } type || JsonFields.String(e, "state_key") is not { } stateKey
                || JsonFields.String(e, "sender") is not { } sender || e["content"] is not JsonObject content)
                continue;
            kept.Add(new JsonObject { ["type"] = type, ["state_key"] = stateKey, ["sender"] = sender, ["content"] = content.DeepClone() });
        }
        return kept;
    }

    public static JsonObject Strip(Pdu ev) => new()
    {
        ["type"] = ev.Type,
        ["state_key"] = ev.StateKey,
        ["sender"] = ev.Sender.ToString(),
        ["content"] = ev.Content.DeepClone(),
    };
}
