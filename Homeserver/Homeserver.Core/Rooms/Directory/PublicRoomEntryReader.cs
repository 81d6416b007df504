using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// Builds a directory entry from a room's current state events. Content is read the way clients would see
/// it (a redacted name or topic is gone), and ill-typed values count as absent rather than failing the page.
/// </summary>
public static class PublicRoomEntryReader
{
    private const string GuestCanJoin = "can_join";
    private const string PlainText = "text/plain";

    public static PublicRoomEntry Read(PublishedRoomStore.PublishedRoom room, IEnumerable<PublishedRoomStore.StateRow> state)
    {
        RoomVersions.TryGet(room.RoomVersion, out var version);
        var content = state.ToDictionary(s => s.EventType, s => Content(s, version));
        JsonObject? Get(string type) => content.GetValueOrDefault(type);
        return new PublicRoomEntry
        {
            RoomId = room.RoomId,
            Name = NonEmpty(JsonFields.String(Get(DirectoryStateTypes.Name), "name")),
            Topic = Topic(Get(DirectoryStateTypes.Topic)),
            CanonicalAlias = JsonFields.String(Get(DirectoryStateTypes.CanonicalAlias), "alias") is { } alias && RoomAlias.TryParse(alias, out _) ? alias : null,
            NumJoinedMembers = room.JoinedMembers,
            WorldReadable = JsonFields.String(Get(EventTypes.HistoryVisibility), HistoryVisibility.Key) == HistoryVisibility.WorldReadable,
            GuestCanJoin = JsonFields.String(Get(DirectoryStateTypes.GuestAccess), "guest_access") == GuestCanJoin,
            JoinRule = JsonFields.String(Get(EventTypes.JoinRules), JoinRules.JoinRuleKey),
            // Any URL the room's avatar names, as Synapse lists it; the spec's mxc URI is not enforced on state anywhere.
            AvatarUrl = NonEmpty(JsonFields.String(Get(DirectoryStateTypes.Avatar), "url")),
            RoomType = JsonFields.String(Get(EventTypes.Create), "type"),
        };
    }

    private static JsonObject? Content(PublishedRoomStore.StateRow row, RoomVersion? version)
    {
        var pdu = JsonNode.Parse(row.Json)?.AsObject();
        if (pdu is null)
            return null;
        if (row.RedactedBy is not null && version is not null)
            pdu = EventRedactor.Redact(pdu, version);
        return pdu["content"] as JsonObject;
    }

    /// <summary>
    /// The plain-text topic: the <c>text/plain</c> representation in <c>m.topic</c> when there is one (a
    /// representation without a mimetype is plain text), else the <c>topic</c> string; an empty topic is unset.
    /// </summary>
    private static string? Topic(JsonObject? content)
    {
        if (content?["m.topic"]?["m.text"] is JsonArray representations)
            foreach (var r in representations)
                if (r is JsonObject o && (JsonFields.String(o, "mimetype") ?? PlainText) == PlainText && NonEmpty(JsonFields.String(o, "body")) is { } body)
                    return body;
        return NonEmpty(JsonFields.String(content, "topic"));
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
