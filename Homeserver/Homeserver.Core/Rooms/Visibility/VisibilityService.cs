using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Visibility;

/// <summary>Applies <see cref="EventVisibilityRule"/> to the events a read path is about to return.</summary>
public sealed class VisibilityService(StateService state, CurrentStateStore current, AccountData.AccountDataStore accountData)
{
    /// <summary>
    /// The rows the user may see, in the order given: history visibility applied, and messages from users on
    /// the viewer's <c>m.ignored_user_list</c> left out (their state events stay, the room would not make sense without them).
    /// </summary>
    public async Task<IReadOnlyList<EventRow>> FilterAsync(string userId, RoomVersion version, IReadOnlyList<EventRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
            return rows;
        var currentMembership = await current.MembershipAsync(rows[0].RoomId, userId, ct);
        var ignored = await IgnoredUsersAsync(userId, ct);
        var visible = new List<EventRow>(rows.Count);
        foreach (var row in rows)
            if (!(row.StateKey is null && ignored.Contains(row.Sender)) && await CanSeeAsync(userId, version, row, currentMembership, ct))
                visible.Add(row);
        return visible;
    }

    private async Task<IReadOnlySet<string>> IgnoredUsersAsync(string userId, CancellationToken ct)
    {
        var json = await accountData.GetAsync(userId, null, "m.ignored_user_list", ct);
        if (json is null || JsonNode.Parse(json)?["ignored_users"] is not JsonObject users)
            return new HashSet<string>();
        return users.Select(kv => kv.Key).ToHashSet();
    }

    /// <summary>Throws 404 unless the user may see the event (404, not 403, so event IDs do not leak existence).</summary>
    public async Task EnsureVisibleAsync(string userId, RoomVersion version, EventRow row, CancellationToken ct)
    {
        var currentMembership = await current.MembershipAsync(row.RoomId, userId, ct);
        if (!await CanSeeAsync(userId, version, row, currentMembership, ct))
            throw MatrixException.NotFound("Event not found");
    }

    private async Task<bool> CanSeeAsync(string userId, RoomVersion version, EventRow row, string? currentMembership, CancellationToken ct)
    {
        // The room's first event has no state before it; it is seen like the state it creates.
        var group = row.StateGroupBefore ?? row.StateGroup;
        if (group is null)
            return false;
        var setting = await state.GetStateEventAsync(group.Value, new StateEventKey(EventTypes.HistoryVisibility, ""), version, ct);
        var visibility = setting is null ? HistoryVisibility.Shared : HistoryVisibility.Parse(setting);
        var before = Field(await state.GetStateEventAsync(group.Value, new StateEventKey(EventTypes.Member, userId), version, ct), "membership");
        // A user's own membership event is seen with the membership it sets as well as the one it replaces,
        // so someone who leaves still sees their own leave event.
        if (row.EventType == EventTypes.Member && row.StateKey == userId
            && EventVisibilityRule.CanSee(visibility, JsonFields.String(JsonNode.Parse(row.Json)!["content"], "membership"), currentMembership))
            return true;
        var membership = before;
        return EventVisibilityRule.CanSee(visibility, membership, currentMembership);
    }

    private static string? Field(Pdu? pdu, string key) => JsonFields.String(pdu?.Content, key);
}
