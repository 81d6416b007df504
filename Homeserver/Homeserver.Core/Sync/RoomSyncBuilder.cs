using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Sync;

/// <summary>The per-room sections of a sync response.</summary>
public sealed class RoomSyncBuilder(RoomReadService reads, RoomStore rooms, EventStore events, StateService state, CurrentStateStore current,
    VisibilityService visibility, Push.Counts.NotificationCounts counts, JoinedRoomsPrefetcher prefetcher, Rooms.Memberships.RemoteMembershipStore remoteMemberships,
    TimeProvider time)
{
    /// <summary>Invite state: the stripped events a client needs to show an invitation (spec "Stripped state").</summary>
    private static readonly string[] InviteStateTypes =
        [EventTypes.Create, EventTypes.JoinRules, "m.room.name", "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic"];

    /// <summary>
    /// The stretch of a room's stream one sync covers: after <see cref="Since"/> (from the beginning when null) up to
    /// <see cref="Upto"/>; <see cref="FullState"/> asks for the whole state whatever the timeline holds.
    /// </summary>
    public readonly record struct Window(long? Since, long Upto, bool FullState);

    /// <summary>What the sections of <paramref name="roomIds"/> will read, read for all of them at once (see <see cref="JoinedRoomsPrefetch"/>).</summary>
    public Task<JoinedRoomsPrefetch> PrefetchAsync(UserId userId, IReadOnlyList<string> roomIds, SyncToken upto, SyncFilter filter, CancellationToken ct) =>
        prefetcher.LoadAsync(userId, roomIds, upto, filter, ct);

    /// <summary>
    /// A joined room's section: its timeline in the window and the state at the timeline's start. Null when
    /// nothing changed in the room for an incremental sync that did not ask for full state. What
    /// <paramref name="prefetch"/> holds for the room (made for the same window end and filter) is not read again.
    /// Events of <paramref name="alsoVisible"/> are shown whatever the history visibility says of them.
    /// </summary>
    public async Task<JsonObject?> JoinedAsync(UserId userId, string deviceId, string roomId, Window window, SyncFilter filter,
        IReadOnlyList<AccountDataStore.Entry> roomData, IReadOnlyList<string>? typing, JsonObject? receipts, CancellationToken ct,
        JoinedRoomsPrefetch? prefetch = null, IReadOnlySet<string>? alsoVisible = null)
    {
        var version = await rooms.VersionOfAsync(roomId, ct);
        var prefetched = prefetch?.For(roomId);
        var (timeline, limited) = await TimelineAsync(userId, roomId, version, window.Since ?? 0, window.Upto, filter, ct, prefetch, alsoVisible);
        if (window.Since is not null && !window.FullState && timeline.Count == 0 && roomData.Count == 0 && typing is null && receipts is null)
            return null;
        var ephemeral = new JsonArray();
        if (typing is not null)
            ephemeral.Add(TypingEvent(typing));
        if (receipts is not null)
            ephemeral.Add(receipts);
        var perThread = filter.Timeline.UnreadThreadNotifications;
        var (unread, threadUnread) = prefetched is not null
            ? Push.Counts.NotificationCounts.SyncSections(prefetched.UnreadCounts, perThread)
            : await counts.SyncSectionsAsync(userId.ToString(), roomId, perThread, ct);
        var section = new JsonObject
        {
            ["timeline"] = await TimelineSectionAsync(userId, deviceId, version, timeline, limited, window.Upto, ct, prefetched),
            ["state"] = new JsonObject { ["events"] = new JsonArray((await StateSectionAsync(userId, roomId, version, timeline, limited, window, filter, ct, prefetched)).ToArray()) },
            ["account_data"] = new JsonObject { ["events"] = new JsonArray(roomData.Select(d => (JsonNode)Providers.AccountDataSyncProvider.Event(d)).ToArray()) },
            ["ephemeral"] = new JsonObject { ["events"] = ephemeral },
            ["unread_notifications"] = unread,
        };
        if (threadUnread is not null)
            section["unread_thread_notifications"] = threadUnread;
        // The summary lets lazy-loading clients name the room without its member list; it is sent when it may have changed.
        if (window.Since is null || window.FullState || timeline.Any(e => e.EventType == EventTypes.Member))
            section["summary"] = Summary(userId, prefetched?.Members ?? await current.MembersAsync(roomId, ct));
        return section;
    }

    /// <summary>The members a client names a room without a name after: up to five others joined or invited, by user ID.</summary>
    public static IReadOnlyList<string> Heroes(UserId userId, IReadOnlyList<CurrentStateStore.Member> members) =>
        members.Where(m => m.UserId != userId.ToString() && m.Membership is "join" or "invite").Select(m => m.UserId).Order(StringComparer.Ordinal).Take(5).ToList();

    private static JsonObject Summary(UserId userId, IReadOnlyList<CurrentStateStore.Member> members)
    {
        var heroes = Heroes(userId, members);
        return new JsonObject
        {
            ["m.heroes"] = new JsonArray(heroes.Select(h => (JsonNode)JsonValue.Create(h)).ToArray()),
            ["m.joined_member_count"] = members.Count(m => m.Membership == "join"),
            ["m.invited_member_count"] = members.Count(m => m.Membership == "invite"),
        };
    }

    private static JsonObject TypingEvent(IReadOnlyList<string> userIds) => new()
    {
        ["type"] = "m.typing",
        ["content"] = new JsonObject { ["user_ids"] = new JsonArray(userIds.Select(u => (JsonNode)JsonValue.Create(u)).ToArray()) },
    };

    /// <summary>An invited or knocking room: stripped state under <paramref name="key"/> (<c>invite_state</c> or <c>knock_state</c>).</summary>
    public async Task<JsonObject> StrippedAsync(UserId userId, string roomId, string key, CancellationToken ct)
    {
        // An invite to (or a knock on) a room we are not in: what the other server sent is all we know of the room.
        if (await remoteMemberships.StrippedStateAsync(roomId, userId.ToString(), ct) is { } sent)
            return new JsonObject { [key] = new JsonObject { ["events"] = JsonNode.Parse(sent) } };
        var version = await rooms.VersionOfAsync(roomId, ct);
        var now = await current.GetStateAsync(roomId, ct);
        // The room's descriptive state plus the invitee's own invite event.
        var ids = now.Where(kv => (InviteStateTypes.Contains(kv.Key.Type) && kv.Key.StateKey == "") || kv.Key == new StateEventKey(EventTypes.Member, userId.ToString()))
            .Select(kv => kv.Value).ToList();
        var rows = await events.GetManyAsync(ids, ct);
        var formatted = rows.Values.OrderBy(r => r.StreamOrdering).Select(r => ClientEventFormatter.Format(r, version, time.GetUtcNow().ToUnixTimeMilliseconds())).ToList();
        // As Synapse does, the inviter's own membership too, so the client can show who invited.
        var inviter = formatted.FirstOrDefault(e => JsonFields.String(e, "type") == EventTypes.Member && JsonFields.String(e, "state_key") == userId.ToString()) is { } mine
            ? JsonFields.String(mine, "sender") : null;
        if (inviter is not null && inviter != userId.ToString() && now.TryGetValue(new StateEventKey(EventTypes.Member, inviter), out var inviterEventId)
            && (await events.GetManyAsync([inviterEventId], ct)).Values.FirstOrDefault() is { } inviterRow)
            formatted.Add(ClientEventFormatter.Format(inviterRow, version, time.GetUtcNow().ToUnixTimeMilliseconds()));
        var stripped = new JsonArray();
        foreach (var full in formatted)
        {
            stripped.Add(new JsonObject
            {
                ["type"] = full["type"]!.DeepClone(),
                ["state_key"] = full["state_key"]!.DeepClone(),
                ["sender"] = full["sender"]!.DeepClone(),
                ["content"] = full["content"]!.DeepClone(),
            });
        }
        return new JsonObject { [key] = new JsonObject { ["events"] = stripped } };
    }

    /// <summary>
    /// A room the user left (or was banned from): its timeline up to their leave event (<paramref name="leaveEventId"/>),
    /// which ends the window. A room held elsewhere has no timeline here; its leave, an outlier, is the timeline, as
    /// Synapse gives the leave that refused an invite.
    /// </summary>
    public async Task<JsonObject> LeftAsync(UserId userId, string deviceId, string roomId, string leaveEventId, Window window, SyncFilter filter,
        CancellationToken ct)
    {
        var version = await rooms.VersionOfAsync(roomId, ct);
        var (timeline, limited) = await TimelineAsync(userId, roomId, version, window.Since ?? 0, window.Upto, filter, ct);
        if (timeline.Count == 0 && filter.TimelineLimit > 0 && await events.GetIncludingOutliersAsync(leaveEventId, ct) is { StreamOrdering: 0 } outlier
            && filter.Timeline.Matches(outlier))
            (timeline, limited) = ([outlier], false);
        return new JsonObject
        {
            ["timeline"] = await TimelineSectionAsync(userId, deviceId, version, timeline, limited, window.Upto, ct),
            ["state"] = new JsonObject { ["events"] = new JsonArray((await StateSectionAsync(userId, roomId, version, timeline, limited, window, filter, ct)).ToArray()) },
            ["account_data"] = new JsonObject { ["events"] = new JsonArray() },
        };
    }

    /// <summary>
    /// A timeline of at most <paramref name="limit"/> visible events in (<paramref name="after"/>, <paramref name="upto"/>], as
    /// sync's timeline section (<c>events</c>, <c>limited</c>, <c>prev_batch</c>), with the rows it holds: what sliding sync's
    /// room entries carry.
    /// </summary>
    public async Task<(JsonObject Section, IReadOnlyList<EventRow> Rows)> TimelineAsync(UserId userId, string deviceId, string roomId, long after, long upto,
        int limit, CancellationToken ct)
    {
        var version = await rooms.VersionOfAsync(roomId, ct);
        var filter = SyncFilter.Default with { Timeline = RoomEventFilter.None with { Limit = limit } };
        var (rows, limited) = await TimelineAsync(userId, roomId, version, after, upto, filter, ct);
        return (await TimelineSectionAsync(userId, deviceId, version, rows, limited, upto, ct), rows);
    }

    /// <summary>Pages fetched at most per timeline when a filter hides events, so a sparse filter cannot scan a whole room.</summary>
    private const int MaxTimelinePages = 10;

    /// <summary>
    /// The visible events in (<paramref name="after"/>, <paramref name="upto"/>] that pass the timeline filter,
    /// oldest first, at most the filter's limit and <see cref="PageBudget.MaxBytes"/>; limited when older matching
    /// events were left out.
    /// </summary>
    private async Task<(IReadOnlyList<EventRow> Rows, bool Limited)> TimelineAsync(UserId userId, string roomId, RoomVersion version,
        long after, long upto, SyncFilter filter, CancellationToken ct, JoinedRoomsPrefetch? prefetch = null, IReadOnlySet<string>? alsoVisible = null)
    {
        var prefetched = prefetch?.For(roomId);
        var limit = filter.TimelineLimit;
        if (limit == 0)
            return ([], true);
        var matching = new List<EventRow>();
        var before = upto + 1;
        var limited = false;
        for (var page = 0; ; page++)
        {
            var newestFirst = page == 0 && prefetched is not null
                ? prefetched.FirstPage(after)
                : await events.PageAsync(roomId, before, after, backwards: true, limit + 1, ct);
            matching.AddRange(newestFirst.Where(filter.Timeline.Matches));
            if (matching.Count > limit || (page == MaxTimelinePages - 1 && newestFirst.Count > limit))
            {
                limited = true;
                break;
            }
            if (newestFirst.Count <= limit)
                break;
            before = newestFirst[^1].StreamOrdering;
        }
        // The newest events within the page budget, as a page of /messages: a timeline of 500 events of 64 KiB would
        // be 32 MB per room and per sync. prev_batch continues from the oldest kept.
        var newest = matching.Take(limit).ToList();
        var kept = PageBudget.Fit(newest);
        limited |= kept.Count < newest.Count;
        var rows = kept.Reverse().ToList();
        var visible = prefetched is not null
            ? await visibility.FilterAsync(userId, version, rows, prefetched.MembershipOf(userId.ToString()), prefetch!.IgnoredUsers, ct)
            : await visibility.FilterAsync(userId, version, rows, ct);
        if (alsoVisible is { Count: > 0 })
        {
            var seen = visible.Select(r => r.EventId).ToHashSet(StringComparer.Ordinal);
            visible = rows.Where(r => seen.Contains(r.EventId) || alsoVisible.Contains(r.EventId)).ToList();
        }
        return (visible, limited);
    }

    /// <summary>
    /// The state section: the whole state at the timeline's start for initial, limited and full-state syncs
    /// (an unlimited incremental sync carries its state changes in the timeline), cut by the state filter. With
    /// lazy-loaded members, member events are only those of the timeline's senders and the user.
    /// </summary>
    private async Task<IReadOnlyList<JsonNode>> StateSectionAsync(UserId userId, string roomId, RoomVersion version, IReadOnlyList<EventRow> timeline,
        bool limited, Window window, SyncFilter filter, CancellationToken ct, JoinedRoomsPrefetch.Room? prefetched = null)
    {
        var whole = window.Since is null || limited || window.FullState;
        var lazy = filter.State.LazyLoadMembers;
        if (!whole && !(lazy && timeline.Count > 0))
            return [];
        var snapshot = await StateAtStartAsync(roomId, timeline, window.Upto, ct, prefetched);
        HashSet<string>? wantedMembers = lazy ? [userId.ToString(), .. timeline.Select(e => e.Sender)] : null;
        var ids = snapshot
            .Where(kv => kv.Key.Type == EventTypes.Member ? wantedMembers?.Contains(kv.Key.StateKey) ?? whole : whole)
            .Select(kv => kv.Value).ToList();
        var rows = prefetched is not null ? await prefetched.ReadAhead.GetManyAsync(events, ids, ct) : await events.GetManyAsync(ids, ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return rows.Values.Where(filter.State.Matches).OrderBy(r => r.StreamOrdering)
            .Take(filter.State.Limit ?? int.MaxValue)
            .Select(r => ClientEventFormatter.FormatRaw(r, version, now)).ToList();
    }

    private async Task<JsonObject> TimelineSectionAsync(UserId userId, string deviceId, RoomVersion version, IReadOnlyList<EventRow> rows, bool limited, long upto, CancellationToken ct,
        JoinedRoomsPrefetch.Room? prefetched = null) =>
        new()
        {
            ["events"] = new JsonArray((await reads.FormatEventsUtf8Async(userId, deviceId, version, rows, ct, prefetched?.ReadAhead)).Select(e => new RawJson(e).ToNode()).ToArray()),
            ["limited"] = limited,
            // /messages?dir=b&from=prev_batch continues with the events just before this timeline.
            ["prev_batch"] = StreamToken.Format(rows.Count > 0 ? rows[0].StreamOrdering : upto + 1),
        };

    private async Task<IReadOnlyDictionary<StateEventKey, string>> StateAtStartAsync(string roomId, IReadOnlyList<EventRow> timeline, long upto, CancellationToken ct,
        JoinedRoomsPrefetch.Room? prefetched = null)
    {
        if (timeline.Count > 0)
            return timeline[0].StateGroupBefore is { } before ? await state.GetGroupAsync(before, ct) : new Dictionary<StateEventKey, string>();
        var last = prefetched is not null ? prefetched.Newest.Take(1).ToList() : await events.PageAsync(roomId, upto + 1, 0, backwards: true, 1, ct);
        return last.Count > 0 && last[0].StateGroup is { } g ? await state.GetGroupAsync(g, ct) : await current.GetStateAsync(roomId, ct);
    }
}
