using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Push.Counts;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Sync;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// One room's entry of a sliding sync response, from sync's own building blocks (timelines with visibility, stripped
/// invite state, heroes, unread counts). A room the connection never sent is <c>initial</c>: its state as the room's
/// configuration asks and its newest events; otherwise only what changed since the room's <c>from</c>.
/// </summary>
public sealed class SlidingRoomBuilder(RoomSyncBuilder sync, RoomStore roomStore, EventStore events, CurrentStateStore current, StateService state,
    NotificationCounts counts, TimeProvider time)
{
    private const string NameType = "m.room.name";
    private const string AvatarType = "m.room.avatar";

    /// <param name="from">Where the room's news starts; null for a room this connection never sent.</param>
    /// <param name="connectionFrom">The request's own position, which <c>num_live</c> counts from.</param>
    /// <param name="wholeState">Send all the configured state even when not initial (the client asked for other state).</param>
    /// <returns>The entry, or null when nothing changed in the room since <paramref name="from"/>.</returns>
    public async Task<JsonObject?> BuildAsync(UserId userId, string deviceId, SlidingRoomLists.Candidate room, SlidingSyncRequest.RoomConfig config,
        SyncToken? from, SyncToken? connectionFrom, bool wholeState, SyncToken upto, CancellationToken ct)
    {
        var initial = from is null;
        if (room.Membership is "invite" or "knock")
            return initial || room.MembershipOrdering > from!.Value.Events ? await InvitedAsync(userId, room, ct) : null;
        var joined = room.Membership == "join";
        // A room the user was removed from shows what they saw until then.
        var end = joined ? upto.Events : Math.Min(room.MembershipOrdering, upto.Events);
        var after = from?.Events ?? 0;
        if (!initial && !wholeState && (await events.PageAsync(room.RoomId, end + 1, after, backwards: true, 1, ct)).Count == 0)
            return null;
        var (timeline, rows) = await sync.TimelineAsync(userId, deviceId, room.RoomId, after, end, config.TimelineLimit, ct);
        var version = await roomStore.VersionOfAsync(room.RoomId, ct);
        var stateMap = joined ? await current.GetStateAsync(room.RoomId, ct) : await StateAtAsync(room.MembershipEventId, ct);
        var stateRows = await events.GetManyAsync(stateMap.Values.ToList(), ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        HashSet<string> lazy = [.. rows.Select(r => r.Sender)];
        var userText = userId.ToString();
        var entry = new JsonObject();
        var requiredState = new JsonArray();
        foreach (var (key, eventId) in stateMap)
        {
            if (!stateRows.TryGetValue(eventId, out var row) || row.StreamOrdering > end || !config.RequiredState.Includes(key, userText, lazy))
                continue;
            // Lazy members are sent with every timeline that names them: which members a client kept is not tracked.
            var isLazyMember = key.Type == EventTypes.Member && lazy.Contains(key.StateKey);
            if (initial || wholeState || row.StreamOrdering > after || isLazyMember)
                requiredState.Add(ClientEventFormatter.FormatRaw(row, version, now));
        }
        var members = await current.MembersAsync(room.RoomId, ct);
        var name = StateContent(stateMap, stateRows, NameType, version, now)?["name"] is JsonValue nameValue && nameValue.TryGetValue<string>(out var named) ? named : null;
        if (!string.IsNullOrEmpty(name))
            entry["name"] = name;
        if (initial || Changed(stateMap, stateRows, AvatarType, after))
            entry["avatar"] = StateContent(stateMap, stateRows, AvatarType, version, now)?["url"] is JsonValue url && url.TryGetValue<string>(out var u) ? u : null;
        if (string.IsNullOrEmpty(name))
            entry["heroes"] = await HeroesAsync(userId, members, version, now, ct);
        if (initial)
            entry["initial"] = true;
        entry["required_state"] = requiredState;
        entry["timeline"] = timeline["events"]!.DeepClone();
        entry["prev_batch"] = timeline["prev_batch"]!.DeepClone();
        entry["limited"] = timeline["limited"]!.DeepClone();
        var liveAfter = from?.Events ?? connectionFrom?.Events;
        entry["num_live"] = liveAfter is { } l ? rows.Count(r => r.StreamOrdering > l) : 0;
        entry["bump_stamp"] = room.BumpStamp;
        entry["joined_count"] = members.Count(m => m.Membership == "join");
        entry["invited_count"] = members.Count(m => m.Membership == "invite");
        var (unread, _) = await counts.SyncSectionsAsync(userText, room.RoomId, perThread: false, ct);
        foreach (var (field, value) in unread)
            entry[field] = value!.DeepClone();
        return entry;
    }

    private async Task<JsonObject> InvitedAsync(UserId userId, SlidingRoomLists.Candidate room, CancellationToken ct)
    {
        var stripped = await sync.StrippedAsync(userId, room.RoomId, "invite_state", ct);
        var inviteState = stripped["invite_state"]!["events"]!.DeepClone().AsArray();
        var entry = new JsonObject { ["initial"] = true, ["invite_state"] = inviteState, ["bump_stamp"] = room.BumpStamp };
        var name = inviteState.OfType<JsonObject>().FirstOrDefault(e => e["type"]?.GetValue<string>() == NameType)?["content"]?["name"];
        if (name is JsonValue v && v.TryGetValue<string>(out var n) && n != "")
            entry["name"] = n;
        return entry;
    }

    /// <summary>The state of the room when the user's membership event was sent: what a removed user last saw.</summary>
    private async Task<IReadOnlyDictionary<StateEventKey, string>> StateAtAsync(string membershipEventId, CancellationToken ct) =>
        await events.GetAsync(membershipEventId, ct) is { StateGroup: { } group } ? await state.GetGroupAsync(group, ct) : new Dictionary<StateEventKey, string>();

    private static JsonObject? StateContent(IReadOnlyDictionary<StateEventKey, string> stateMap, IReadOnlyDictionary<string, EventRow> rows, string type,
        RoomVersion version, long now) =>
        stateMap.TryGetValue(new StateEventKey(type, ""), out var id) && rows.TryGetValue(id, out var row)
            ? ClientEventFormatter.Format(row, version, now)["content"] as JsonObject
            : null;

    private static bool Changed(IReadOnlyDictionary<StateEventKey, string> stateMap, IReadOnlyDictionary<string, EventRow> rows, string type, long after) =>
        stateMap.TryGetValue(new StateEventKey(type, ""), out var id) && rows.TryGetValue(id, out var row) && row.StreamOrdering > after;

    /// <summary>The room's heroes with the display names and avatars their member events give.</summary>
    private async Task<JsonArray> HeroesAsync(UserId userId, IReadOnlyList<CurrentStateStore.Member> members, RoomVersion version, long now, CancellationToken ct)
    {
        var heroes = RoomSyncBuilder.Heroes(userId, members);
        var memberEvents = await events.GetManyAsync(members.Where(m => heroes.Contains(m.UserId)).Select(m => m.EventId).ToList(), ct);
        var result = new JsonArray();
        foreach (var hero in heroes)
        {
            var entry = new JsonObject { ["user_id"] = hero };
            var eventId = members.First(m => m.UserId == hero).EventId;
            if (memberEvents.TryGetValue(eventId, out var row) && ClientEventFormatter.Format(row, version, now)["content"] is JsonObject content)
            {
                if (content["displayname"] is JsonValue d && d.TryGetValue<string>(out var displayName))
                    entry["displayname"] = displayName;
                if (content["avatar_url"] is JsonValue a && a.TryGetValue<string>(out var avatar))
                    entry["avatar_url"] = avatar;
            }
            result.Add(entry);
        }
        return result;
    }
}
