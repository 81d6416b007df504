using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms.Visibility;

/// <summary>
/// History visibility for another server: <see cref="ServerVisibilityRule"/> applied to the events a federation
/// read is about to return, with the room's setting and the server's memberships at each event.
/// </summary>
public sealed class ServerVisibilityService(StateService state, CurrentStateStore current, ServerMembershipStore members)
{
    /// <summary>Whether one of the server's users is joined to the room now.</summary>
    public Task<bool> IsInRoomAsync(RoomId roomId, string serverName, CancellationToken ct) =>
        members.HasJoinedMemberAsync(roomId.ToString(), serverName, ct);

    /// <summary>For each row (all of one room), whether the server may see it whole.</summary>
    public async Task<IReadOnlyList<bool>> CanSeeAsync(string serverName, RoomVersion version, IReadOnlyList<EventRow> rows, bool inRoomNow,
        CancellationToken ct)
    {
        var settings = new Dictionary<long, (string Visibility, IReadOnlyList<string?> Memberships)>();
        var seen = new bool[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            // The room's first event has no state before it; it is seen like the state it creates.
            if ((row.StateGroupBefore ?? row.StateGroup) is not { } before)
                continue;
            seen[i] = await CanSeeAtAsync(before, serverName, version, inRoomNow, settings, ct)
                // The spec's exception: a history visibility change and a membership change of the server's own users
                // are seen if the setting before or after them allows it.
                || (ChangesWhatDecides(row, serverName) && row.StateGroup is { } after
                    && await CanSeeAtAsync(after, serverName, version, inRoomNow, settings, ct));
        }
        return seen;
    }

    private async Task<bool> CanSeeAtAsync(long group, string serverName, RoomVersion version, bool inRoomNow,
        Dictionary<long, (string Visibility, IReadOnlyList<string?> Memberships)> settings, CancellationToken ct)
    {
        if (!settings.TryGetValue(group, out var at))
        {
            var map = await state.GetGroupAsync(group, ct);
            var setting = await state.GetStateEventAsync(map, new StateEventKey(EventTypes.HistoryVisibility, ""), version, ct);
            var memberships = new List<string?>();
            var suffix = ":" + serverName;
            foreach (var (key, eventId) in map)
                if (key.Type == EventTypes.Member && key.StateKey.EndsWith(suffix, StringComparison.Ordinal) && ServerOf(key.StateKey) == serverName)
                    memberships.Add(JsonFields.String((await state.GetEventAsync(eventId, version, ct))?.Content, "membership"));
            at = (setting is null ? HistoryVisibility.Shared : HistoryVisibility.Parse(setting), memberships);
            settings[group] = at;
        }
        return ServerVisibilityRule.CanSee(at.Visibility, at.Memberships, inRoomNow);
    }

    private static bool ChangesWhatDecides(EventRow row, string serverName) =>
        (row.EventType == EventTypes.HistoryVisibility && row.StateKey == "")
        || (row.EventType == EventTypes.Member && row.StateKey is { } target && ServerOf(target) == serverName);

    private static string? ServerOf(string userId) => UserId.TryParse(userId, out var id) ? id.Value.ServerName : null;

    /// <summary>Whether the room's history visibility is <c>world_readable</c> now.</summary>
    public async Task<bool> IsWorldReadableNowAsync(RoomId roomId, RoomVersion version, CancellationToken ct)
    {
        var pdu = await state.GetStateEventAsync(await current.GetStateAsync(roomId.ToString(), ct), EventTypes.HistoryVisibility, version, ct);
        return pdu is not null && HistoryVisibility.Parse(pdu) == HistoryVisibility.WorldReadable;
    }
}
