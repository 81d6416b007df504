using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Json;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>Builds <see cref="RoomSummary"/>s from the rooms' counts and the contents of their descriptive state events.</summary>
public sealed class RoomSummaryReader(RoomAdminStore store, ServerIdentity server)
{
    private static readonly string[] Types =
    [
        EventTypes.Create, "m.room.name", "m.room.canonical_alias", "m.room.topic", "m.room.avatar", EventTypes.JoinRules,
        EventTypes.GuestAccess, EventTypes.HistoryVisibility, "m.room.encryption",
    ];

    public async Task<IReadOnlyList<RoomSummary>> AllAsync(CancellationToken ct)
    {
        var counts = await store.AllCountsAsync(server.ServerName, ct);
        var contents = (await store.StateContentsAsync(null, Types, ct)).ToLookup(s => s.RoomId);
        return counts.Select(c => Build(c, contents[c.RoomId])).ToList();
    }

    public async Task<RoomSummary?> OneAsync(string roomId, CancellationToken ct) =>
        await store.CountsAsync(roomId, server.ServerName, ct) is { } counts
            ? Build(counts, await store.StateContentsAsync(roomId, Types, ct))
            : null;

    private static RoomSummary Build(RoomAdminStore.RoomCounts counts, IEnumerable<RoomAdminStore.StateContent> state)
    {
        var content = state.ToDictionary(s => s.EventType, s => JsonNode.Parse(s.Json)?["content"]);
        string? Field(string type, string key) => JsonFields.String(content.GetValueOrDefault(type), key);
        var create = content.GetValueOrDefault(EventTypes.Create);
        var federate = create is JsonObject o && o["m.federate"] is JsonValue v && v.TryGetValue<bool>(out var f) ? f : true;
        return new RoomSummary(counts.RoomId, counts.RoomVersion, counts.Creator, counts.IsPublic, counts.JoinedMembers, counts.JoinedLocalMembers,
            counts.StateEvents, Field("m.room.name", "name"), Field("m.room.canonical_alias", "alias"), Field("m.room.topic", "topic"),
            Field("m.room.avatar", "url"), Field(EventTypes.JoinRules, "join_rule"), Field(EventTypes.GuestAccess, "guest_access"),
            Field(EventTypes.HistoryVisibility, "history_visibility"), Field("m.room.encryption", "algorithm"), federate,
            Field(EventTypes.Create, "type"));
    }
}
