using System.Globalization;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Push.Counts;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Push;

/// <summary><c>GET /notifications</c>: the events that notified the user, newest first, paged by stream position.</summary>
public sealed class NotificationListService(PushActionsStore store, NotificationCounts counts, EventStore events, RoomStore rooms, RoomReadService reads)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <param name="from">A <c>next_token</c> of an earlier page, or null for the newest.</param>
    public async Task<JsonObject> ListAsync(UserId userId, string? from, int limit, bool onlyHighlight, CancellationToken ct)
    {
        var before = long.MaxValue;
        if (from is not null && !long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out before))
            throw MatrixException.InvalidParam("'from' is not a token this server issued");
        var rows = await store.PageAsync(userId.ToString(), before, onlyHighlight, limit + 1, ct);
        var page = rows.Take(limit).ToList();
        var stored = await events.GetManyAsync(page.Select(r => r.EventId).ToList(), ct);
        var isRead = await counts.ReadCheckAsync(userId.ToString(), ct);
        var versions = new Dictionary<string, RoomVersion>();
        var notifications = new JsonArray();
        foreach (var row in page)
        {
            if (!stored.TryGetValue(row.EventId, out var ev))
                continue;
            if (!versions.TryGetValue(row.RoomId, out var version))
                versions[row.RoomId] = version = await rooms.VersionOfAsync(row.RoomId, ct);
            var formatted = (await reads.FormatEventsAsync(userId, null, version, [ev], ct))[0];
            formatted.Remove("room_id");
            notifications.Add(new JsonObject
            {
                ["actions"] = JsonNode.Parse(row.Actions),
                ["event"] = formatted,
                ["read"] = isRead(row.RoomId, row.ThreadId, row.StreamOrdering),
                ["room_id"] = row.RoomId,
                ["ts"] = row.Ts,
            });
        }
        var response = new JsonObject { ["notifications"] = notifications };
        if (rows.Count > limit)
            response["next_token"] = page[^1].StreamOrdering.ToString(CultureInfo.InvariantCulture);
        return response;
    }
}
