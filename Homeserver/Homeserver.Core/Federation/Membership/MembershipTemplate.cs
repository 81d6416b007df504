using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// A resident server's answer to <c>make_join</c>, <c>make_leave</c> or <c>make_knock</c>, checked field by field
/// before anything of it is signed. Only the parts that place the event in the DAG (prev and auth events, depth) and
/// a restricted join's authoriser are taken from it; type, sender, state key, room and content are ours, and a
/// template that says otherwise (another membership, another user, extra content) is refused, never corrected: a
/// server that shapes it so is not one to join through.
/// </summary>
public sealed record MembershipTemplate(RoomVersion Version, IReadOnlyList<EventId> PrevEvents, IReadOnlyList<EventId> AuthEvents,
    IReadOnlyDictionary<EventId, byte[]> ReferenceHashes, long Depth, string? Authoriser)
{
    /// <summary>Content keys a template may carry besides <c>membership</c>; none of them grants anything.</summary>
    private static readonly HashSet<string> HarmlessContent = ["displayname", "avatar_url", "reason", AuthEventSelection.JoinAuthorisedViaUsersServerKey];

    /// <exception cref="RemoteRoomException">The template is not the event we asked for.</exception>
    public static MembershipTemplate Check(JsonObject response, RoomId roomId, UserId userId, string membership)
    {
        var versionId = response["room_version"] is null ? "1" : JsonFields.String(response, "room_version")
            ?? throw new RemoteRoomException("room_version is not a string");
        if (!RoomVersions.TryGet(versionId, out var version))
            throw new RemoteRoomException($"Room version {versionId} is not supported here");
        if (response["event"] is not JsonObject ev)
            throw new RemoteRoomException("The answer has no event");
        Expect(ev, PduKeys.Type, EventTypes.Member);
        Expect(ev, PduKeys.RoomId, roomId.ToString());
        Expect(ev, PduKeys.Sender, userId.ToString());
        Expect(ev, PduKeys.StateKey, userId.ToString());
        if (ev[PduKeys.Content] is not JsonObject content)
            throw new RemoteRoomException("The template has no content");
        Expect(content, "membership", membership);
        foreach (var (k, _) in content)
            if (k != "membership" && !HarmlessContent.Contains(k))
                throw new RemoteRoomException($"The template's content carries '{k}'");
        string? authoriser = null;
        if (content[AuthEventSelection.JoinAuthorisedViaUsersServerKey] is { } via)
        {
            if (membership != "join" || !version.SupportsRestrictedJoinRule
                || !PduReader.TryGetString(via, out var viaText) || !UserId.TryParse(viaText, out _))
                throw new RemoteRoomException("The template's join_authorised_via_users_server is not a user ID of a restricted join");
            authoriser = viaText;
        }
        var hashes = new Dictionary<EventId, byte[]>();
        var prev = References(ev, PduKeys.PrevEvents, 1, PduValidator.MaxPrevEvents, version, hashes);
        var auth = References(ev, PduKeys.AuthEvents, 0, PduValidator.MaxAuthEvents, version, hashes);
        if (!PduReader.TryGetInteger(ev[PduKeys.Depth], out var depth) || depth < 0 || depth > CanonicalJson.MaxSafeInteger)
            throw new RemoteRoomException("The template's depth is not a valid integer");
        return new MembershipTemplate(version, prev, auth, hashes, depth, authoriser);
    }

    /// <summary>Our event on this template: content built here from <paramref name="content"/>, now as its time, signed with our key.</summary>
    public Pdu Build(RoomId roomId, UserId userId, JsonObject content, long now, SigningKey key)
    {
        var ours = (JsonObject)content.DeepClone();
        if (Authoriser is not null)
            ours[AuthEventSelection.JoinAuthorisedViaUsersServerKey] = Authoriser;
        try
        {
            return new EventBuilder
            {
                RoomVersion = Version, Type = EventTypes.Member, Sender = userId, RoomId = roomId, StateKey = userId.ToString(),
                Content = ours, PrevEvents = PrevEvents, AuthEvents = AuthEvents, ReferenceHashes = ReferenceHashes,
                Depth = Depth, OriginServerTs = now,
            }.Build(key);
        }
        catch (Exception e) when (e is InvalidEventException or EventTooLargeException or ArgumentException)
        {
            throw new RemoteRoomException($"The template does not make a valid event: {e.Message}");
        }
    }

    private static void Expect(JsonObject obj, string key, string expected)
    {
        if (!PduReader.TryGetString(obj[key], out var value) || value != expected)
            throw new RemoteRoomException($"The template's {key} is not {expected}");
    }

    private static List<EventId> References(JsonObject ev, string key, int min, int max, RoomVersion version, Dictionary<EventId, byte[]> hashes)
    {
        if (ev[key] is not JsonArray list || list.Count < min || list.Count > max)
            throw new RemoteRoomException($"The template's {key} is not a list of {min} to {max} events");
        var ids = new List<EventId>();
        foreach (var item in list)
        {
            // Room versions 1–2 cite [ID, {"sha256": hash}]; later ones the ID alone.
            var idNode = version.EventReferencesCarryHashes ? (item as JsonArray)?.FirstOrDefault() : item;
            if (!PduReader.TryGetString(idNode, out var text) || !EventId.TryParse(text, out var id) || !version.IsValidEventId(id.Value))
                throw new RemoteRoomException($"The template's {key} holds something that is not an event ID");
            if (version.EventReferencesCarryHashes)
            {
                if ((item as JsonArray) is not { Count: 2 } pair || !UnpaddedBase64.TryDecode(JsonFields.String(pair[1], PduKeys.Sha256), out var hash))
                    throw new RemoteRoomException($"The template's {key} cites {text} without its hash");
                hashes[id.Value] = hash;
            }
            ids.Add(id.Value);
        }
        return ids;
    }
}
