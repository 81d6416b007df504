using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>Who created a room, read from its <c>m.room.create</c> event the way the room version says.</summary>
public static class RoomCreators
{
    public const string CreatorKey = "creator";
    public const string AdditionalCreatorsKey = "additional_creators";

    /// <summary>
    /// "The creator" of auth rule 4.3.1 and of the no-power-levels default of 100: <c>content.creator</c>
    /// up to room version 10, the create event's <c>sender</c> from version 11 (which removed
    /// <c>creator</c>). Null when a v10 event's <c>creator</c> is missing or not a string.
    /// </summary>
    public static string? Creator(RoomVersion version, Pdu create)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(create);
        if (!version.CreatorInCreateContent)
        {
            return create.Sender.ToString();
        }

        return PduReader.TryGetString(create.Content[CreatorKey], out string? creator) ? creator : null;
    }

    /// <summary>
    /// Everyone counted as a creator. From room version 12 (MSC4289) that is the sender plus every valid
    /// user ID in <c>content.additional_creators</c>, all with infinite power; before, only <see cref="Creator"/>.
    /// </summary>
    public static IReadOnlySet<string> All(RoomVersion version, Pdu create)
    {
        var creators = new HashSet<string>(StringComparer.Ordinal);
        if (Creator(version, create) is { } creator)
        {
            creators.Add(creator);
        }

        // Before v12 the field "serves no purpose and is not validated" (m.room.create schema), so it is ignored.
        if (version.PrivilegedCreators && create.Content[AdditionalCreatorsKey] is JsonArray additional)
        {
            foreach (JsonNode? item in additional)
            {
                if (PduReader.TryGetString(item, out string? userId) && UserId.TryParse(userId, out _))
                {
                    creators.Add(userId);
                }
            }
        }

        return creators;
    }

    /// <summary>
    /// Room version 12, auth rule 1.4: <c>additional_creators</c>, when present, must be an array of strings
    /// that each pass the user ID validation applied to <c>sender</c>.
    /// </summary>
    public static bool IsValidAdditionalCreators(JsonNode? node) =>
        node is JsonArray array
        && array.All(item => PduReader.TryGetString(item, out string? userId) && UserId.TryParse(userId, out _));
}
