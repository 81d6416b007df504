using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Sync;

/// <summary>The parts of a sync filter this server applies: the timeline limit, whether left rooms are included, and per-thread unread counts.</summary>
public sealed record SyncFilter(int TimelineLimit, bool IncludeLeave)
{
    /// <summary><c>room.timeline.unread_thread_notifications</c>: unread counts split per thread.</summary>
    public bool UnreadThreadNotifications { get; init; }

    public const int DefaultTimelineLimit = 10;
    public const int MaxTimelineLimit = 500;

    public static SyncFilter Default { get; } = new(DefaultTimelineLimit, false);

    public static SyncFilter FromJson(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            throw MatrixException.InvalidParam("filter is not valid JSON");
        }
        var room = node?["room"];
        var limit = room?["timeline"]?["limit"] is JsonValue v && v.TryGetValue<long>(out var l) ? l : DefaultTimelineLimit;
        var includeLeave = room?["include_leave"] is JsonValue b && b.TryGetValue<bool>(out var inc) && inc;
        var perThread = room?["timeline"]?["unread_thread_notifications"] is JsonValue t && t.TryGetValue<bool>(out var threads) && threads;
        return new SyncFilter((int)Math.Clamp(limit, 0, MaxTimelineLimit), includeLeave) { UnreadThreadNotifications = perThread };
    }
}
