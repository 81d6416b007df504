using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>
/// The state events a new room starts with, in the order the spec's createRoom lists them: power levels,
/// canonical alias, the preset's join rules, history visibility and guest access (when it allows guests), then <c>initial_state</c>,
/// then name and topic. The create event, the creator's join and the invites are sent around these.
/// </summary>
public static class InitialRoomState
{
    public static IReadOnlyList<InitialStateEvent> Build(CreateRoomRequest request, RoomVersion version, UserId creator, string? canonicalAlias)
    {
        var preset = RoomPresets.Effective(request.Preset, request.Visibility);
        var events = new List<InitialStateEvent>
        {
            new(EventTypes.PowerLevels, "", PowerLevels(request, version, creator, preset)),
        };
        if (canonicalAlias is not null)
            events.Add(new("m.room.canonical_alias", "", new JsonObject { ["alias"] = canonicalAlias }));
        events.Add(new(EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = RoomPresets.JoinRule(preset) }));
        events.Add(new(EventTypes.HistoryVisibility, "", new JsonObject { ["history_visibility"] = "shared" }));
        // No guest access event means forbidden (spec m.room.guest_access), so a preset that forbids it sends none, as Synapse does.
        if (RoomPresets.GuestAccess(preset) is var guestAccess && guestAccess != "forbidden")
            events.Add(new("m.room.guest_access", "", new JsonObject { ["guest_access"] = guestAccess }));
        // initial_state overrides what the preset set for the same key, keeping the preset's position.
        foreach (var s in request.InitialState)
        {
            var existing = events.FindIndex(e => e.Type == s.Type && e.StateKey == s.StateKey);
            if (existing >= 0)
                events[existing] = s;
            else
                events.Add(s);
        }
        if (request.Name is not null)
            events.Add(new("m.room.name", "", new JsonObject { ["name"] = request.Name }));
        if (request.Topic is not null)
            events.Add(new("m.room.topic", "", new JsonObject { ["topic"] = request.Topic }));
        return events;
    }

    private static JsonObject PowerLevels(CreateRoomRequest request, RoomVersion version, UserId creator, string preset)
    {
        var users = new JsonObject();
        // From room version 12 the creators hold unlimited power through the create event and must not be listed.
        if (!version.PrivilegedCreators)
            users[creator.ToString()] = 100;
        if (preset == RoomPresets.TrustedPrivateChat)
            foreach (var invitee in request.Invite)
                users[invitee.ToString()] = 100;
        var content = new JsonObject
        {
            ["users"] = users,
            ["users_default"] = 0,
            ["events"] = new JsonObject
            {
                ["m.room.name"] = 50,
                ["m.room.power_levels"] = 100,
                ["m.room.history_visibility"] = 100,
                ["m.room.canonical_alias"] = 50,
                ["m.room.avatar"] = 50,
                ["m.room.tombstone"] = version.PrivilegedCreators ? 150 : 100,
                ["m.room.server_acl"] = 100,
                ["m.room.encryption"] = 100,
            },
            ["events_default"] = 0,
            ["state_default"] = 50,
            ["ban"] = 50,
            ["kick"] = 50,
            ["redact"] = 50,
            ["invite"] = preset == RoomPresets.PublicChat ? 50 : 0,
            ["historical"] = 100,
            ["notifications"] = new JsonObject { ["room"] = 50 },
        };
        if (request.PowerLevelContentOverride is { } over)
            foreach (var (key, value) in over)
                content[key] = value?.DeepClone();
        return content;
    }
}
