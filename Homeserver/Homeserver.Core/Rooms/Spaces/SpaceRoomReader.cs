using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Spaces;

/// <summary>
/// Rooms this server holds as the hierarchy serves them, and who may see them there (spec: the rooms a user "could
/// feasibly peek/join"; Synapse's rules where the spec leaves room).
/// </summary>
public sealed class SpaceRoomReader(SpaceRoomStore store, CurrentStateStore current, ServerIdentity server)
{
    private const string Encryption = "m.room.encryption";

    /// <summary>Whether one of our users is joined, so our copy of the room is current (Synapse asks other servers otherwise).</summary>
    public Task<bool> IsHeldAsync(string roomId, CancellationToken ct) => HasMemberAsync(roomId, server.ServerName, joinedOnly: true, ct);

    /// <summary>The room as we hold it; null when we know no such room or not its version.</summary>
    public async Task<LocalSpaceRoom?> ReadAsync(string roomId, CancellationToken ct)
    {
        if (await store.RoomAsync(roomId, ct) is not { } room || !RoomVersions.TryGet(room.RoomVersion, out var version))
            return null;
        var rows = await store.StateAsync(roomId, ct);
        var roomWide = rows.Where(r => r.StateKey.Length == 0).ToList();
        if (!roomWide.Any(r => r.EventType == EventTypes.Create))
            return null;

        var entry = PublicRoomEntryReader.Read(
            new PublishedRoomStore.PublishedRoom { RoomId = roomId, RoomVersion = room.RoomVersion, JoinedMembers = room.JoinedMembers },
            roomWide.Select(r => new PublishedRoomStore.StateRow(roomId, r.EventType, r.Json, r.RedactedBy)));
        var pdus = roomWide.ToDictionary(r => r.EventType, r => Parse(r, version));
        var allowed = pdus.GetValueOrDefault(EventTypes.JoinRules) is { } joinRules
            ? JoinRules.AllowedRoomIds(Pdu.FromJson(joinRules, version))
            : [];

        var summary = new JsonObject { ["room_id"] = roomId };
        Add(summary, "name", entry.Name);
        Add(summary, "topic", entry.Topic);
        Add(summary, "canonical_alias", entry.CanonicalAlias);
        summary["num_joined_members"] = entry.NumJoinedMembers;
        Add(summary, "avatar_url", entry.AvatarUrl);
        Add(summary, "join_rule", entry.JoinRule);
        summary["world_readable"] = entry.WorldReadable;
        summary["guest_can_join"] = entry.GuestCanJoin;
        Add(summary, "room_type", entry.RoomType);
        summary["room_version"] = room.RoomVersion;
        Add(summary, "encryption", JsonFields.String(pdus.GetValueOrDefault(Encryption)?["content"], "algorithm"));

        var spaceRoom = new LocalSpaceRoom(roomId, version, summary, entry.JoinRule, entry.WorldReadable, allowed, []);
        if (spaceRoom.IsRestricted && allowed.Count > 0)
            summary["allowed_room_ids"] = new JsonArray(allowed.Select(r => (JsonNode?)r.ToString()).ToArray());
        if (!spaceRoom.IsSpace)
            return spaceRoom;
        var links = rows.Where(r => r.EventType == SpaceChildren.EventType && r.StateKey.Length > 0)
            .Select(r => SpaceChildren.Strip(Parse(r, version)))
            .OfType<JsonObject>();
        return spaceRoom with { Children = SpaceChildren.Ordered(links) };
    }

    /// <summary>
    /// Whether a user may see the room in a hierarchy: it is open, they are joined or invited, or it is restricted and
    /// they are joined to one of the rooms it admits the members of.
    /// </summary>
    public async Task<bool> IsAccessibleToUserAsync(LocalSpaceRoom room, UserId userId, CancellationToken ct)
    {
        if (room.IsOpen || await MembershipAsync(room.RoomId, userId, ct) is "join" or "invite")
            return true;
        if (!room.IsRestricted)
            return false;
        foreach (var allowed in room.AllowedRoomIds)
            if (await MembershipAsync(allowed.ToString(), userId, ct) == "join")
                return true;
        return false;
    }

    /// <summary>
    /// Whether another server may see the room in a hierarchy: it is open, one of the server's users is joined or
    /// invited, or it is restricted and one of the server's users is joined to a room it admits the members of.
    /// </summary>
    public async Task<bool> IsAccessibleToServerAsync(LocalSpaceRoom room, string serverName, CancellationToken ct)
    {
        if (room.IsOpen || await HasMemberAsync(room.RoomId, serverName, joinedOnly: false, ct))
            return true;
        if (!room.IsRestricted)
            return false;
        foreach (var allowed in room.AllowedRoomIds)
            if (await HasMemberAsync(allowed.ToString(), serverName, joinedOnly: true, ct))
                return true;
        return false;
    }

    /// <summary>The user's membership in a room, whichever server holds it; null when they have none here.</summary>
    public Task<string?> MembershipAsync(string roomId, UserId userId, CancellationToken ct) =>
        current.MembershipAsync(roomId, userId.ToString(), ct);

    private async Task<bool> HasMemberAsync(string roomId, string serverName, bool joinedOnly, CancellationToken ct) =>
        (await store.MembersEndingWithAsync(roomId, serverName, ct)).Any(m =>
            (!joinedOnly || m.Membership == "join") && UserId.TryParse(m.UserId, out var id) && id.Value.ServerName == serverName);

    private static JsonObject Parse(SpaceRoomStore.StateRow row, RoomVersion version)
    {
        var pdu = JsonNode.Parse(row.Json)!.AsObject();
        return row.RedactedBy is null ? pdu : EventRedactor.Redact(pdu, version);
    }

    private static void Add(JsonObject o, string key, string? value)
    {
        if (value is not null)
            o[key] = value;
    }
}
