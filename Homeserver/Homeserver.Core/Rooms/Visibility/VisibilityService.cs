using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Visibility;

/// <summary>Applies <see cref="EventVisibilityRule"/> to the events a read path is about to return.</summary>
public sealed class VisibilityService(StateService state, CurrentStateStore current, AccountData.AccountDataStore accountData)
{
    /// <summary>
    /// The rows the user may see, in the order given: history visibility applied, messages from users on the viewer's
    /// <c>m.ignored_user_list</c> left out (their state events stay, the room would not make sense without them), and
    /// events withheld from clients when they were stored left out (<see cref="EventRow.Withheld"/>: redactions of another
    /// room's events, which Synapse withholds too).
    /// </summary>
    public async Task<IReadOnlyList<EventRow>> FilterAsync(UserId userId, RoomVersion version, IReadOnlyList<EventRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
            return rows;
        var currentMembership = await current.MembershipAsync(rows[0].RoomId, userId.ToString(), ct);
        return await FilterAsync(userId, version, rows, currentMembership, await IgnoredUsersAsync(userId, ct), ct);
    }

    /// <summary>
    /// <see cref="FilterAsync(UserId, RoomVersion, IReadOnlyList{EventRow}, CancellationToken)"/> with the viewer's current
    /// membership of the rows' room and their ignored users already read, as a sync of many rooms reads them once.
    /// </summary>
    public async Task<IReadOnlyList<EventRow>> FilterAsync(UserId userId, RoomVersion version, IReadOnlyList<EventRow> rows,
        string? currentMembership, IReadOnlySet<string> ignored, CancellationToken ct)
    {
        var visible = new List<EventRow>(rows.Count);
        // Events between two state changes share their snapshot, so its two lookups are done once per snapshot.
        var settings = new Dictionary<long, (string Visibility, string? Membership)>();
        foreach (var row in rows)
            if (!(row.StateKey is null && ignored.Contains(row.Sender)) && !row.Withheld
                && await CanSeeAsync(userId, version, row, currentMembership, settings, ct))
                visible.Add(row);
        return visible;
    }

    public async Task<IReadOnlySet<string>> IgnoredUsersAsync(UserId userId, CancellationToken ct)
    {
        var json = await accountData.GetAsync(userId.ToString(), null, "m.ignored_user_list", ct);
        if (json is null || JsonNode.Parse(json)?["ignored_users"] is not JsonObject users)
            return new HashSet<string>();
        return users.Select(kv => kv.Key).ToHashSet();
    }

    /// <summary>Whether the user may see the one event; requests that name an event ask through <see cref="RoomEventGuard"/>.</summary>
    public async Task<bool> CanSeeAsync(UserId userId, RoomVersion version, EventRow row, CancellationToken ct) =>
        !row.Withheld && await CanSeeAsync(userId, version, row, await current.MembershipAsync(row.RoomId, userId.ToString(), ct), [], ct);

    private async Task<bool> CanSeeAsync(UserId userId, RoomVersion version, EventRow row, string? currentMembership,
        Dictionary<long, (string Visibility, string? Membership)> settings, CancellationToken ct)
    {
        // The room's first event has no state before it; it is seen like the state it creates.
        var group = row.StateGroupBefore ?? row.StateGroup;
        if (group is null)
            return false;
        if (!settings.TryGetValue(group.Value, out var at))
        {
            var setting = await state.GetStateEventAsync(group.Value, new StateEventKey(EventTypes.HistoryVisibility, ""), version, ct);
            at = (setting is null ? HistoryVisibility.Shared : HistoryVisibility.Parse(setting),
                Field(await state.GetStateEventAsync(group.Value, new StateEventKey(EventTypes.Member, userId.ToString()), version, ct), "membership"));
            settings[group.Value] = at;
        }
        // A user's own membership event is seen with the membership it sets as well as the one it replaces,
        // so someone who leaves still sees their own leave event.
        if (row.EventType == EventTypes.Member && row.StateKey == userId.ToString()
            && EventVisibilityRule.CanSee(at.Visibility, JsonFields.String(JsonNode.Parse(row.Json)!["content"], "membership"), currentMembership))
            return true;
        // A change of history visibility is seen under the setting it sets as well as the one it replaces, as in
        // Synapse, so members see where the history they may read starts and stops.
        if (row.EventType == EventTypes.HistoryVisibility && row.StateKey == ""
            && EventVisibilityRule.CanSee(NewVisibility(row), at.Membership, currentMembership))
            return true;
        return EventVisibilityRule.CanSee(at.Visibility, at.Membership, currentMembership);
    }

    private static string NewVisibility(EventRow row) =>
        HistoryVisibility.Normalise(JsonFields.String(JsonNode.Parse(row.Json)!["content"], HistoryVisibility.Key));

    private static string? Field(Pdu? pdu, string key) => JsonFields.String(pdu?.Content, key);
}
