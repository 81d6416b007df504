using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Sync;

/// <summary>The per-room sections of a sync response.</summary>
public sealed class RoomSyncBuilder(RoomReadService reads, EventStore events, StateService state, CurrentStateStore current,
    VisibilityService visibility, Push.Counts.NotificationCounts counts, TimeProvider time)
{
    /// <summary>Invite state: the stripped events a client needs to show an invitation (spec "Stripped state").</summary>
    private static readonly string[] InviteStateTypes =
        [EventTypes.Create, EventTypes.JoinRules, "m.room.name", "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic"];

    /// <summary>
    /// A joined room's section: its timeline after <paramref name="since"/> (or the latest events when null) and
    /// the state at the timeline's start. Null when nothing changed in the room for an incremental sync.
    /// </summary>
    public async Task<JsonObject?> JoinedAsync(string userId, string roomId, long? since, long upto, SyncFilter filter,
        IReadOnlyList<AccountDataStore.Entry> roomData, IReadOnlyList<string>? typing, JsonObject? receipts, CancellationToken ct)
    {
        var version = await reads.VersionOfAsync(roomId, ct);
        var (timeline, limited) = await TimelineAsync(userId, roomId, version, since ?? 0, upto, filter, ct);
        if (since is not null && timeline.Count == 0 && roomData.Count == 0 && typing is null && receipts is null)
            return null;
        var ephemeral = new JsonArray();
        if (typing is not null)
            ephemeral.Add(TypingEvent(typing));
        if (receipts is not null)
            ephemeral.Add(receipts);
        // An incremental sync that is not limited carries state changes in the timeline itself.
        var stateEvents = since is null || limited ? await StateAtStartAsync(roomId, version, timeline, upto, ct) : [];
        var (unread, threadUnread) = await counts.SyncSectionsAsync(userId, roomId, filter.UnreadThreadNotifications, ct);
        var section = new JsonObject
        {
            ["timeline"] = await TimelineSectionAsync(userId, version, timeline, limited, upto, ct),
            ["state"] = new JsonObject { ["events"] = new JsonArray(stateEvents.ToArray()) },
            ["account_data"] = new JsonObject { ["events"] = new JsonArray(roomData.Select(d => (JsonNode)SyncService.AccountDataEvent(d)).ToArray()) },
            ["ephemeral"] = new JsonObject { ["events"] = ephemeral },
            ["unread_notifications"] = unread,
        };
        if (threadUnread is not null)
            section["unread_thread_notifications"] = threadUnread;
        return section;
    }

    private static JsonObject TypingEvent(IReadOnlyList<string> userIds) => new()
    {
        ["type"] = "m.typing",
        ["content"] = new JsonObject { ["user_ids"] = new JsonArray(userIds.Select(u => (JsonNode)JsonValue.Create(u)).ToArray()) },
    };

    public async Task<JsonObject> InvitedAsync(string userId, string roomId, CancellationToken ct)
    {
        var version = await reads.VersionOfAsync(roomId, ct);
        var now = await current.GetStateAsync(roomId, ct);
        // The room's descriptive state plus the invitee's own invite event.
        var ids = now.Where(kv => (InviteStateTypes.Contains(kv.Key.Type) && kv.Key.StateKey == "") || kv.Key == new StateEventKey(EventTypes.Member, userId))
            .Select(kv => kv.Value).ToList();
        var rows = await events.GetManyAsync(ids, ct);
        var stripped = new JsonArray();
        foreach (var row in rows.Values.OrderBy(r => r.StreamOrdering))
        {
            var full = ClientEventFormatter.Format(row, version, time.GetUtcNow().ToUnixTimeMilliseconds());
            stripped.Add(new JsonObject
            {
                ["type"] = full["type"]!.DeepClone(),
                ["state_key"] = full["state_key"]!.DeepClone(),
                ["sender"] = full["sender"]!.DeepClone(),
                ["content"] = full["content"]!.DeepClone(),
            });
        }
        return new JsonObject { ["invite_state"] = new JsonObject { ["events"] = stripped } };
    }

    /// <summary>A room the user left (or was banned from): its timeline up to their leave event.</summary>
    public async Task<JsonObject> LeftAsync(string userId, string roomId, long? since, long leftAt, SyncFilter filter, CancellationToken ct)
    {
        var version = await reads.VersionOfAsync(roomId, ct);
        var (timeline, limited) = await TimelineAsync(userId, roomId, version, since ?? 0, leftAt, filter, ct);
        var stateEvents = since is null || limited ? await StateAtStartAsync(roomId, version, timeline, leftAt, ct) : [];
        return new JsonObject
        {
            ["timeline"] = await TimelineSectionAsync(userId, version, timeline, limited, leftAt, ct),
            ["state"] = new JsonObject { ["events"] = new JsonArray(stateEvents.ToArray()) },
            ["account_data"] = new JsonObject { ["events"] = new JsonArray() },
        };
    }

    /// <summary>The visible events in (<paramref name="after"/>, <paramref name="upto"/>], oldest first, at most the filter's limit.</summary>
    private async Task<(IReadOnlyList<EventRow> Rows, bool Limited)> TimelineAsync(string userId, string roomId, RoomVersion version,
        long after, long upto, SyncFilter filter, CancellationToken ct)
    {
        if (filter.TimelineLimit == 0)
            return ([], true);
        var newestFirst = await events.PageAsync(roomId, upto + 1, after, backwards: true, filter.TimelineLimit + 1, ct);
        var limited = newestFirst.Count > filter.TimelineLimit;
        var page = newestFirst.Take(filter.TimelineLimit).Reverse().ToList();
        return (await visibility.FilterAsync(userId, version, page, ct), limited);
    }

    private async Task<JsonObject> TimelineSectionAsync(string userId, RoomVersion version, IReadOnlyList<EventRow> rows, bool limited, long upto, CancellationToken ct) =>
        new()
        {
            ["events"] = new JsonArray((await reads.FormatEventsAsync(userId, version, rows, ct)).Select(e => (JsonNode)e).ToArray()),
            ["limited"] = limited,
            // /messages?dir=b&from=prev_batch continues with the events just before this timeline.
            ["prev_batch"] = StreamToken.Format(rows.Count > 0 ? rows[0].StreamOrdering : upto + 1),
        };

    private async Task<IReadOnlyList<JsonNode>> StateAtStartAsync(string roomId, RoomVersion version, IReadOnlyList<EventRow> timeline, long upto, CancellationToken ct)
    {
        IReadOnlyDictionary<StateEventKey, string> snapshot;
        if (timeline.Count > 0 && timeline[0].StateGroupBefore is { } before)
            snapshot = await state.GetGroupAsync(before, ct);
        else if (timeline.Count > 0)
            snapshot = new Dictionary<StateEventKey, string>();
        else
        {
            var last = await events.PageAsync(roomId, upto + 1, 0, backwards: true, 1, ct);
            snapshot = last.Count > 0 && last[0].StateGroup is { } g ? await state.GetGroupAsync(g, ct) : await current.GetStateAsync(roomId, ct);
        }
        var rows = await events.GetManyAsync(snapshot.Values.ToList(), ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return rows.Values.OrderBy(r => r.StreamOrdering).Select(r => (JsonNode)ClientEventFormatter.Format(r, version, now)).ToList();
    }
}
