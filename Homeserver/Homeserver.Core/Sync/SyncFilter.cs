using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Sync;

/// <summary>
/// A sync filter (spec "Filtering"): which rooms, and per section which events by type and sender, how long the
/// timeline is, whether member state is lazy-loaded and whether left rooms are included.
/// <c>event_fields</c> and <c>event_format: federation</c> are not applied.
/// </summary>
public sealed record SyncFilter(RoomEventFilter Timeline, RoomEventFilter State, RoomEventFilter Ephemeral, RoomEventFilter RoomAccountData,
    RoomEventFilter AccountData, RoomEventFilter Presence, IReadOnlyList<string>? Rooms, IReadOnlyList<string> NotRooms, bool IncludeLeave)
{
    public const int DefaultTimelineLimit = 10;
    public const int MaxTimelineLimit = 500;

    public static SyncFilter Default { get; } = new(RoomEventFilter.None, RoomEventFilter.None, RoomEventFilter.None, RoomEventFilter.None,
        RoomEventFilter.None, RoomEventFilter.None, null, [], false);

    public int TimelineLimit => Math.Min(Timeline.Limit ?? DefaultTimelineLimit, MaxTimelineLimit);

    public bool IncludesRoom(string roomId) => !NotRooms.Contains(roomId) && (Rooms is null || Rooms.Contains(roomId));

    public static SyncFilter FromJson(string json)
    {
        JsonNode? node;
        try
        {
            node = Json.JsonText.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            throw MatrixException.InvalidParam("filter is not valid JSON");
        }
        if (node is not JsonObject root)
            throw MatrixException.InvalidParam("filter must be a JSON object");
        var room = Section(root, "room", "filter");
        var roomFilter = RoomEventFilter.FromJson(room, "filter.room");
        return new SyncFilter(
            RoomEventFilter.FromJson(Section(room, "timeline", "filter.room"), "filter.room.timeline"),
            RoomEventFilter.FromJson(Section(room, "state", "filter.room"), "filter.room.state"),
            RoomEventFilter.FromJson(Section(room, "ephemeral", "filter.room"), "filter.room.ephemeral"),
            RoomEventFilter.FromJson(Section(room, "account_data", "filter.room"), "filter.room.account_data"),
            RoomEventFilter.FromJson(Section(root, "account_data", "filter"), "filter.account_data"),
            RoomEventFilter.FromJson(Section(root, "presence", "filter"), "filter.presence"),
            roomFilter.Rooms, roomFilter.NotRooms,
            room?["include_leave"] is JsonValue b && b.TryGetValue<bool>(out var inc) && inc);
    }

    private static JsonObject? Section(JsonObject? parent, string key, string path) => parent?[key] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw MatrixException.InvalidParam($"{path}.{key} must be an object"),
    };
}
