using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>Auth rule 1 (all versions): an <c>m.room.create</c> event is judged on its own, without any state.</summary>
internal static class CreateRule
{
    public const string RoomVersionKey = "room_version";

    /// <summary>The schema's meaning of a create event without <c>room_version</c>.</summary>
    private const string ImpliedRoomVersion = "1";

    private const string Rule = EventTypes.Create;

    public static AuthResult Check(RoomVersion version, Pdu ev)
    {
        // 1.1: the create event starts the DAG, so a second create in a room always has parents and fails here.
        if (ev.PrevEvents.Count > 0)
        {
            return AuthResult.Denied($"{Rule}: it has prev_events");
        }

        if (version.RoomIdIsCreateEventId)
        {
            // v12 1.2 (MSC4291): the room ID is this event's ID, so the event cannot name one.
            if (ev.Json.ContainsKey(PduKeys.RoomId))
            {
                return AuthResult.Denied($"{Rule}: it has a room_id");
            }
        }
        else if (ev.RoomId.ServerName != ev.Sender.ServerName)
        {
            // v10/v11 1.2: only the sender's server may mint the room's ID.
            return AuthResult.Denied($"{Rule}: the room ID's domain is not the sender's");
        }

        // 1.3. Beyond "recognised", the declared version must be the one these rules are applied for: a
        // create event without room_version declares version 1, which is not this version.
        string declared = PduReader.TryGetString(ev.Content[RoomVersionKey], out string? value) ? value
            : ev.Content.ContainsKey(RoomVersionKey) ? "(not a string)" : ImpliedRoomVersion;
        if (!RoomVersions.TryGet(declared, out RoomVersion? declaredVersion))
        {
            return AuthResult.Denied($"{Rule}: content.room_version '{declared}' is not a recognised version");
        }

        if (declaredVersion.Id != version.Id)
        {
            return AuthResult.Denied($"{Rule}: content.room_version '{declared}' is not room version {version.Id}");
        }

        // v10 1.4 (removed in v11, where the sender is the creator).
        if (version.CreatorInCreateContent && !ev.Content.ContainsKey(RoomCreators.CreatorKey))
        {
            return AuthResult.Denied($"{Rule}: content has no creator");
        }

        // v12 1.4 (MSC4289).
        if (version.PrivilegedCreators && ev.Content.TryGetPropertyValue(RoomCreators.AdditionalCreatorsKey, out var additional)
            && !RoomCreators.IsValidAdditionalCreators(additional))
        {
            return AuthResult.Denied($"{Rule}: content.additional_creators is not an array of user IDs");
        }

        return AuthResult.Allowed;
    }
}
