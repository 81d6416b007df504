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
    LazyMembersSent lazySent, NamedRooms namedRooms, TimeProvider time)
{
    /// <summary>Invite state: the stripped events a client needs to show an invitation (spec "Stripped state").</summary>
    private static readonly string[] InviteStateTypes =
        [EventTypes.Create, EventTypes.JoinRules, "m.room.name", "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic"];

    /// <summary>
    /// The stretch of a room's stream one sync covers: after <see cref="Since"/> (from the beginning when null) up to
    /// <see cref="Upto"/>; <see cref="FullState"/> asks for the whole state whatever the timeline holds.
    /// <see cref="NewlyJoined"/>: a room the user joined since an incremental sync's token, whose timeline is marked
    /// limited as Synapse marks it, the client holding none of the room's history.
    /// </summary>
    public readonly record struct Window(long? Since, long Upto, bool FullState, bool NewlyJoined = false);

    /// <summary>What the sections of <paramref name="roomIds"/> will read, read for all of them at once (see <see cref="JoinedRoomsPrefetch"/>).</summary>
    public Task<JoinedRoomsPrefetch> PrefetchAsync(UserId userId, IReadOnlyList<string> roomIds, SyncToken upto, SyncFilter filter, CancellationToken ct) =>
        prefetcher.LoadAsync(userId, roomIds, upto, filter, ct);

    /// <summary>
    /// A joined room's section: its timeline in the window and the state at the timeline's start. Null when
    /// nothing changed in the room for an incremental sync that did not ask for full state. What
    /// <paramref name="prefetch"/> holds for the room (made for the same window end and filter) is not read again.
    /// </summary>
    /// <param name="joins">When given, gets the users whose joins the section carries (in its timeline or state).</param>
    public async Task<JsonObject?> JoinedAsync(UserId userId, string deviceId, string roomId, Window window, SyncFilter filter,
        IReadOnlyList<AccountDataStore.Entry> roomData, IReadOnlyList<string>? typing, JsonObject? receipts, CancellationToken ct,
        JoinedRoomsPrefetch? prefetch = null, ISet<string>? joins = null)
    {
        var version = await rooms.VersionOfAsync(roomId, ct);
        var prefetched = prefetch?.For(roomId);
        var (timeline, cut) = await TimelineAsync(userId, roomId, version, window.Since ?? 0, window.Upto, filter, joined: true, ct, prefetch);
        var limited = cut || window.NewlyJoined;
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
            ["timeline"] = await TimelineSectionAsync(userId, deviceId, version, timeline, limited,
                PrevBatch(timeline, wholeHistory: window.Since is null && !cut && timeline is [{ EventType: EventTypes.Create }, ..], window.Upto), ct, prefetched),
            ["state"] = new JsonObject { ["events"] = new JsonArray((await StateSectionAsync(userId, deviceId, roomId, version, timeline, limited, window, filter, ct, prefetched, joins)).ToArray()) },
            ["account_data"] = new JsonObject { ["events"] = new JsonArray(roomData.Select(d => (JsonNode)Providers.AccountDataSyncProvider.Event(d)).ToArray()) },
            ["ephemeral"] = new JsonObject { ["events"] = ephemeral },
            ["unread_notifications"] = unread,
        };
        if (threadUnread is not null)
            section["unread_thread_notifications"] = threadUnread;
        if (joins is not null)
            NoteJoins(timeline, joins);
        // The summary lets lazy-loading clients name the room without its member list; it is sent when it may have changed.
        if (window.Since is null || window.FullState || timeline.Any(e => e.EventType == EventTypes.Member))
            section["summary"] = Summary(userId, prefetched?.Members ?? await current.MembersAsync(roomId, ct),
                prefetched?.Named ?? (await namedRooms.AmongAsync([roomId], ct)).Count > 0);
        return section;
    }

    /// <summary>The members a client names a room without a name after: up to five others joined or invited, by user ID.</summary>
    public static IReadOnlyList<string> Heroes(UserId userId, IReadOnlyList<CurrentStateStore.Member> members) =>
        members.Where(m => m.UserId != userId.ToString() && m.Membership is "join" or "invite").Select(m => m.UserId).Order(StringComparer.Ordinal).Take(5).ToList();

    /// <summary>The room's member counts, and its heroes when it has no name to be called by.</summary>
    private static JsonObject Summary(UserId userId, IReadOnlyList<CurrentStateStore.Member> members, bool named)
    {
        var summary = new JsonObject
        {
            ["m.joined_member_count"] = members.Count(m => m.Membership == "join"),
            ["m.invited_member_count"] = members.Count(m => m.Membership == "invite"),
        };
        if (!named)
            summary["m.heroes"] = new JsonArray(Heroes(userId, members).Select(h => (JsonNode)JsonValue.Create(h)).ToArray());
        return summary;
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
        var (timeline, limited) = await TimelineAsync(userId, roomId, version, window.Since ?? 0, window.Upto, filter, joined: false, ct);
        if (timeline.Count == 0 && filter.TimelineLimit > 0 && await events.GetIncludingOutliersAsync(leaveEventId, ct) is { StreamOrdering: 0 } outlier
            && filter.Timeline.Matches(outlier))
            (timeline, limited) = ([outlier], false);
        return new JsonObject
        {
            ["timeline"] = await TimelineSectionAsync(userId, deviceId, version, timeline, limited, PrevBatch(timeline, wholeHistory: false, window.Upto), ct),
            ["state"] = new JsonObject { ["events"] = new JsonArray((await StateSectionAsync(userId, deviceId, roomId, version, timeline, limited, window, filter, ct)).ToArray()) },
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
        var (rows, limited) = await TimelineAsync(userId, roomId, version, after, upto, filter, joined: false, ct);
        return (await TimelineSectionAsync(userId, deviceId, version, rows, limited, PrevBatch(rows, wholeHistory: false, upto), ct), rows);
    }

    /// <summary>Pages fetched at most per timeline when a filter hides events, so a sparse filter cannot scan a whole room.</summary>
    private const int MaxTimelinePages = 10;

    /// <summary>Events per page after the first when a filter or history visibility hides events.</summary>
    private const int HiddenEventsPageSize = 50;

    /// <summary>
    /// The visible events in (<paramref name="after"/>, <paramref name="upto"/>] that pass the timeline filter,
    /// oldest first, at most the filter's limit and <see cref="PageBudget.MaxBytes"/>; limited when older matching
    /// events were left out. Hidden events do not count towards the limit, so events the user may not see (sent while
    /// they were away from a room with joined history) do not crowd out the ones they may.
    /// </summary>
    private async Task<(IReadOnlyList<EventRow> Rows, bool Limited)> TimelineAsync(UserId userId, string roomId, RoomVersion version,
        long after, long upto, SyncFilter filter, bool joined, CancellationToken ct, JoinedRoomsPrefetch? prefetch = null)
    {
        var prefetched = prefetch?.For(roomId);
        var limit = filter.TimelineLimit;
        if (limit == 0)
            return ([], true);
        var matching = new List<EventRow>();
        var before = upto + 1;
        var limited = false;
        var pageSize = limit + 1;
        for (var page = 0; ; page++)
        {
            var newestFirst = page == 0 && prefetched is not null
                ? prefetched.FirstPage(after)
                : await events.PageAsync(roomId, before, after, backwards: true, pageSize, ct);
            var full = newestFirst.Count >= pageSize;
            matching.AddRange(await VisibleAsync(userId, roomId, version, newestFirst.Where(filter.Timeline.Matches).ToList(), joined, prefetch, ct));
            if (matching.Count > limit || (page == MaxTimelinePages - 1 && full))
            {
                limited = true;
                break;
            }
            if (!full)
                break;
            before = newestFirst[^1].StreamOrdering;
            // The first page showed the filter or visibility hides events: further pages look further back at once.
            pageSize = Math.Max(limit + 1, HiddenEventsPageSize);
        }
        // The newest events within the page budget, as a page of /messages: a timeline of 500 events of 64 KiB would
        // be 32 MB per room and per sync. prev_batch continues from the oldest kept.
        var newest = matching.Take(limit).ToList();
        var kept = PageBudget.Fit(newest);
        limited |= kept.Count < newest.Count;
        return (kept.Reverse().ToList(), limited);
    }

    /// <summary>
    /// The rows the user may see. In a joined room a state event that is still the room's current state is shown even
    /// when history visibility hides it, as Synapse does: the client learns the room's present (who joined while the
    /// user was away) from the timeline.
    /// </summary>
    private async Task<IReadOnlyList<EventRow>> VisibleAsync(UserId userId, string roomId, RoomVersion version, IReadOnlyList<EventRow> rows,
        bool joined, JoinedRoomsPrefetch? prefetch, CancellationToken ct)
    {
        var prefetched = prefetch?.For(roomId);
        var visible = prefetched is not null
            ? await visibility.FilterAsync(userId, version, rows, prefetched.MembershipOf(userId.ToString()), prefetch!.IgnoredUsers, ct)
            : await visibility.FilterAsync(userId, version, rows, ct);
        if (!joined || visible.Count == rows.Count)
            return visible;
        var shown = visible.Select(r => r.EventId).ToHashSet(StringComparer.Ordinal);
        if (!rows.Any(r => r.StateKey is not null && !shown.Contains(r.EventId)))
            return visible;
        var currentIds = (await current.GetStateAsync(roomId, ct)).Values.ToHashSet(StringComparer.Ordinal);
        return rows.Where(r => shown.Contains(r.EventId) || (r.StateKey is not null && currentIds.Contains(r.EventId))).ToList();
    }

    /// <summary>
    /// The state section, as Synapse computes it. Initial and full-state syncs (and a room newly joined) get the whole
    /// state at the timeline's start. An incremental sync whose timeline follows on from the last one gets none: its
    /// state changes are in the timeline. A gapped one (limited) gets what changed in the gap: state at the timeline's
    /// start or end that the client did not have at the previous sync and that the timeline does not carry. With
    /// lazy-loaded members, member events are only those of the timeline's senders (and, from no token, the user's
    /// own), less those already sent to this device unless <c>include_redundant_members</c>; a gap's membership
    /// changes are sent all the same.
    /// </summary>
    private async Task<IReadOnlyList<JsonNode>> StateSectionAsync(UserId userId, string deviceId, string roomId, RoomVersion version,
        IReadOnlyList<EventRow> timeline, bool limited, Window window, SyncFilter filter, CancellationToken ct, JoinedRoomsPrefetch.Room? prefetched = null,
        ISet<string>? joins = null)
    {
        var whole = window.Since is null || window.FullState;
        var lazy = filter.State.LazyLoadMembers;
        var inTimeline = new Dictionary<StateEventKey, string>();
        var sendersToLoad = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in timeline)
        {
            // A sender whose member event came earlier in the timeline needs no state for it.
            if (!inTimeline.ContainsKey(new StateEventKey(EventTypes.Member, e.Sender)))
                sendersToLoad.Add(e.Sender);
            if (e.StateKey is not null)
                inTimeline[new StateEventKey(e.EventType, e.StateKey)] = e.EventId;
        }
        if (whole && lazy)
            sendersToLoad.Add(userId.ToString());
        if (!whole && !limited && !(lazy && sendersToLoad.Count > 0))
            return [];
        var start = await StateAtStartAsync(roomId, timeline, window.Upto, ct, prefetched);
        bool Wanted(StateEventKey key) => key.Type != EventTypes.Member || !lazy || sendersToLoad.Contains(key.StateKey);
        var atStart = start.Where(kv => Wanted(kv.Key)).ToList();
        List<KeyValuePair<StateEventKey, string>> chosen;
        if (whole)
            chosen = atStart;
        else if (!limited)
            chosen = atStart.Where(kv => kv.Key.Type == EventTypes.Member).ToList();
        else
        {
            var previous = (await StateAtAsync(roomId, window.Since!.Value, ct)).Values.ToHashSet(StringComparer.Ordinal);
            // The senders' member events count as unsent, so lazy loading gets them even when they predate the gap.
            if (lazy)
                previous.ExceptWith(atStart.Where(kv => kv.Key.Type == EventTypes.Member).Select(kv => kv.Value));
            var timelineIds = inTimeline.Values.ToHashSet(StringComparer.Ordinal);
            chosen = [.. (await StateAtAsync(roomId, window.Upto, ct)).Concat(atStart)
                .Where(kv => !previous.Contains(kv.Value) && !timelineIds.Contains(kv.Value))
                .DistinctBy(kv => kv.Value)];
        }
        if (lazy && !filter.State.IncludeRedundantMembers)
        {
            var (user, room) = (userId.ToString(), roomId);
            if (window.Since is null)
                lazySent.Forget(user, deviceId, room);
            else
                chosen = chosen.Where(kv => kv.Key.Type != EventTypes.Member || !lazySent.WasSent(user, deviceId, room, kv.Key.StateKey, kv.Value)).ToList();
            lazySent.Record(user, deviceId, room, chosen.Concat(inTimeline).Where(kv => kv.Key.Type == EventTypes.Member).Select(kv => (kv.Key.StateKey, kv.Value)));
        }
        var ids = chosen.Select(kv => kv.Value).ToList();
        var rows = prefetched is not null ? await prefetched.ReadAhead.GetManyAsync(events, ids, ct) : await events.GetManyAsync(ids, ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var sent = rows.Values.Where(filter.State.Matches).OrderBy(r => r.StreamOrdering).Take(filter.State.Limit ?? int.MaxValue).ToList();
        if (joins is not null)
            NoteJoins(sent, joins);
        return sent.Select(r => ClientEventFormatter.FormatRaw(r, version, now)).ToList();
    }

    /// <summary>Whether the user was joined to the room at stream position <paramref name="position"/>.</summary>
    public async Task<bool> WasJoinedAsync(UserId userId, string roomId, long position, CancellationToken ct)
    {
        var at = await StateAtAsync(roomId, position, ct);
        return at.TryGetValue(new StateEventKey(EventTypes.Member, userId.ToString()), out var id) && await events.GetAsync(id, ct) is { } row
            && JsonFields.String(JsonNode.Parse(row.Json)?["content"], "membership") == "join";
    }

    private static void NoteJoins(IEnumerable<EventRow> rows, ISet<string> joins)
    {
        foreach (var row in rows)
            if (row.EventType == EventTypes.Member && row.StateKey is { } member
                && JsonFields.String(JsonNode.Parse(row.Json)?["content"], "membership") == "join")
                joins.Add(member);
    }

    /// <summary>The room's state after its last event at or before stream position <paramref name="position"/>.</summary>
    private async Task<IReadOnlyDictionary<StateEventKey, string>> StateAtAsync(string roomId, long position, CancellationToken ct)
    {
        var last = await events.PageAsync(roomId, position + 1, long.MinValue, backwards: true, 1, ct);
        return last.Count > 0 && last[0].StateGroup is { } g ? await state.GetGroupAsync(g, ct) : new Dictionary<StateEventKey, string>();
    }

    private async Task<JsonObject> TimelineSectionAsync(UserId userId, string deviceId, RoomVersion version, IReadOnlyList<EventRow> rows, bool limited, long prevBatch,
        CancellationToken ct, JoinedRoomsPrefetch.Room? prefetched = null) =>
        new()
        {
            ["events"] = new JsonArray((await reads.FormatEventsUtf8Async(userId, deviceId, version, rows, ct, prefetched?.ReadAhead)).Select(e => new RawJson(e).ToNode()).ToArray()),
            ["limited"] = limited,
            ["prev_batch"] = StreamToken.Format(prevBatch),
        };

    /// <summary>
    /// Where <c>/messages?dir=b&amp;from=prev_batch</c> continues: with the events just before the timeline; but when an
    /// initial sync's timeline holds the room's whole history from its creation (<paramref name="wholeHistory"/>), from the
    /// sync point, as Synapse answers (its timeline token moves only when it cuts the timeline). Paging back from there gives the
    /// timeline's events again and then the room's start, rather than an empty page without <c>end</c>, which SyTest's
    /// pagination of a fresh room and clients that page before looking at <c>limited</c> expect.
    /// </summary>
    private static long PrevBatch(IReadOnlyList<EventRow> rows, bool wholeHistory, long upto) =>
        wholeHistory || rows.Count == 0 ? upto + 1 : rows[0].StreamOrdering;

    private async Task<IReadOnlyDictionary<StateEventKey, string>> StateAtStartAsync(string roomId, IReadOnlyList<EventRow> timeline, long upto, CancellationToken ct,
        JoinedRoomsPrefetch.Room? prefetched = null)
    {
        if (timeline.Count > 0)
            return timeline[0].StateGroupBefore is { } before ? await state.GetGroupAsync(before, ct) : new Dictionary<StateEventKey, string>();
        var last = prefetched is not null ? prefetched.Newest.Take(1).ToList() : await events.PageAsync(roomId, upto + 1, 0, backwards: true, 1, ct);
        return last.Count > 0 && last[0].StateGroup is { } g ? await state.GetGroupAsync(g, ct) : await current.GetStateAsync(roomId, ct);
    }
}
