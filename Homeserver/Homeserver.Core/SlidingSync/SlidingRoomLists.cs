using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Sync;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// The rooms a sliding sync's lists can hold, each list filtered and sorted by activity, and the windows its ranges
/// cut from it. A list holds every room the user is joined to, invited to, knocked on or was removed from; a room the
/// user left themselves only in the response that covers their leave (then it is gone, as in Synapse).
/// </summary>
public sealed class SlidingRoomLists(CurrentStateStore current, EventStore events, ForgottenRoomStore forgotten, AccountDataStore accountData)
{
    /// <summary>The event types that move a room's <c>bump_stamp</c>: what a user sees as activity (Synapse's list).</summary>
    public static readonly IReadOnlyList<string> BumpEventTypes =
        [EventTypes.Create, "m.room.message", "m.room.encrypted", "m.sticker", "m.call.invite", "m.poll.start", "org.matrix.msc3381.poll.start",
         "m.beacon_info", "org.matrix.msc3672.beacon_info"];

    private const string DirectType = "m.direct";
    private const string TagType = "m.tag";
    private const string EncryptionType = "m.room.encryption";
    private const string SpaceChildType = "m.space.child";

    /// <param name="Position">Where the room stands in the activity order: its newest event for a joined room, the membership otherwise.</param>
    public sealed record Candidate(string RoomId, string Membership, string MembershipEventId, long MembershipOrdering, long Position, long BumpStamp);

    public sealed record ListResult(int Count, IReadOnlyList<string> Window);

    public sealed record Result(IReadOnlyDictionary<string, Candidate> Rooms, IReadOnlyDictionary<string, ListResult> Lists);

    public async Task<Result> BuildAsync(SlidingSyncRequest request, SyncToken? from, SyncToken upto, CancellationToken ct)
    {
        var userId = request.UserId.ToString();
        var memberships = (await current.MembershipsOfUserAsync(userId, ct)).Where(m => m.StreamOrdering <= upto.Events).ToList();
        var leaves = memberships.Where(m => m.Membership == "leave").Select(m => m.EventId).ToList();
        var leaveRows = leaves.Count > 0 ? await events.GetManyAsync(leaves, ct) : new Dictionary<string, EventRow>();
        var kept = new List<CurrentStateStore.UserMembership>();
        foreach (var m in memberships)
        {
            var leftByThemselves = m.Membership == "leave" && (!leaveRows.TryGetValue(m.EventId, out var leave) || leave.Sender == userId);
            if (leftByThemselves && !(from is { } f && m.StreamOrdering > f.Events))
                continue;
            if (m.Membership is "leave" or "ban" && await forgotten.IsForgottenAsync(userId, m.RoomId, ct))
                continue;
            kept.Add(m);
        }
        var joined = kept.Where(m => m.Membership == "join").Select(m => m.RoomId).ToList();
        var latest = await events.LatestOfRoomsAsync(joined, upto.Events, BumpEventTypes, ct);
        var rooms = kept.ToDictionary(m => m.RoomId, m =>
        {
            var l = m.Membership == "join" ? latest.GetValueOrDefault(m.RoomId) : null;
            return new Candidate(m.RoomId, m.Membership, m.EventId, m.StreamOrdering, Math.Max(l?.Latest ?? 0, m.StreamOrdering),
                l?.LatestOfTypes ?? m.StreamOrdering);
        });
        var ordered = rooms.Values.OrderByDescending(r => r.Position).ThenBy(r => r.RoomId, StringComparer.Ordinal).ToList();
        var facts = request.Lists.Values.Any(l => l.Filters != RoomListFilters.None)
            ? await FactsAsync(userId, ordered, request.Lists.Values.Select(l => l.Filters).ToList(), upto, ct)
            : null;
        var lists = new Dictionary<string, ListResult>(StringComparer.Ordinal);
        foreach (var (name, list) in request.Lists)
        {
            var matching = facts is null || list.Filters == RoomListFilters.None ? ordered : ordered.Where(r => list.Filters.Matches(facts[r.RoomId])).ToList();
            var window = new List<string>();
            foreach (var (start, end) in list.Ranges)
                for (var i = start; i <= end && i < matching.Count; i++)
                    if (!window.Contains(matching[i].RoomId))
                        window.Add(matching[i].RoomId);
            lists[name] = new ListResult(matching.Count, window);
        }
        return new Result(rooms, lists);
    }

    /// <summary>What the filters look at, read for all the rooms at once (the state only when a filter needs it).</summary>
    private async Task<Dictionary<string, RoomFacts>> FactsAsync(string userId, IReadOnlyList<Candidate> rooms, IReadOnlyList<RoomListFilters> filters,
        SyncToken upto, CancellationToken ct)
    {
        var data = await accountData.ChangedAsync(userId, 0, upto.AccountData, ct);
        var direct = new HashSet<string>(StringComparer.Ordinal);
        if (data.FirstOrDefault(d => d.RoomId == "" && d.DataType == DirectType) is { } m && JsonNode.Parse(m.Content) is JsonObject byUser)
            foreach (var (_, dmRooms) in byUser)
                if (dmRooms is JsonArray array)
                    direct.UnionWith(array.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : "").Where(s => s != ""));
        var tags = data.Where(d => d.RoomId != "" && d.DataType == TagType)
            .ToDictionary(d => d.RoomId, d => (IReadOnlySet<string>)(JsonNode.Parse(d.Content)?["tags"] is JsonObject t ? t.Select(kv => kv.Key).ToHashSet() : []));
        var roomIds = rooms.Select(r => r.RoomId).ToList();
        var encrypted = new HashSet<string>(StringComparer.Ordinal);
        var types = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (filters.Any(f => f.NeedsRoomState))
        {
            var state = await current.StateOfRoomsAsync(roomIds, [EventTypes.Create, EncryptionType], ct);
            encrypted.UnionWith(state.Where(s => s.Type == EncryptionType && s.Key == "").Select(s => s.RoomId));
            var creates = await events.GetManyAsync(state.Where(s => s.Type == EventTypes.Create).Select(s => s.EventId).ToList(), ct);
            foreach (var create in creates.Values)
                types[create.RoomId] = Content(create)?["type"] is JsonValue v && v.TryGetValue<string>(out var type) ? type : null;
        }
        var spaces = await SpaceChildrenAsync(filters.Where(f => f.Spaces is not null).SelectMany(f => f.Spaces!).Distinct().ToList(), ct);
        return rooms.ToDictionary(r => r.RoomId, r => new RoomFacts(r.Membership, direct.Contains(r.RoomId), encrypted.Contains(r.RoomId),
            types.GetValueOrDefault(r.RoomId), spaces.GetValueOrDefault(r.RoomId) ?? new HashSet<string>(), tags.GetValueOrDefault(r.RoomId) ?? new HashSet<string>()));
    }

    /// <summary>For each room, the given spaces that list it as a child (an <c>m.space.child</c> whose content has <c>via</c>).</summary>
    private async Task<Dictionary<string, IReadOnlySet<string>>> SpaceChildrenAsync(IReadOnlyList<string> spaceIds, CancellationToken ct)
    {
        var parents = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var children = await current.StateOfRoomsAsync(spaceIds, [SpaceChildType], ct);
        var rows = await events.GetManyAsync(children.Select(c => c.EventId).ToList(), ct);
        foreach (var child in children)
            if (rows.TryGetValue(child.EventId, out var row) && row.RedactedBy is null && Content(row)?["via"] is JsonArray { Count: > 0 })
                (parents.TryGetValue(child.Key, out var set) ? set : parents[child.Key] = []).Add(child.RoomId);
        return parents.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)kv.Value);
    }

    private static JsonNode? Content(EventRow row) => JsonNode.Parse(row.Json)?["content"];
}
