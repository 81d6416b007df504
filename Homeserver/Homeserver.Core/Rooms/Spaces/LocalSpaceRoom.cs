using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Spaces;

/// <summary>
/// A room this server holds, as the hierarchy sees it: its summary (the spec's room summary, with
/// <c>allowed_room_ids</c> for restricted rooms) and, for a space, its child links in order.
/// </summary>
public sealed record LocalSpaceRoom(
    string RoomId,
    RoomVersion Version,
    JsonObject Summary,
    string? JoinRule,
    bool WorldReadable,
    IReadOnlyList<RoomId> AllowedRoomIds,
    IReadOnlyList<JsonObject> Children)
{
    public const string SpaceType = "m.space";

    public bool IsSpace => Summary["room_type"] is JsonValue v && v.TryGetValue(out string? type) && type == SpaceType;

    /// <summary>Open to anyone who asks: a public or knockable join rule (where the room version has it), or world-readable history.</summary>
    public bool IsOpen => WorldReadable || JoinRule == "public"
        || (JoinRule == "knock" && Version.SupportsKnocking)
        || (JoinRule == "knock_restricted" && Version.SupportsKnockRestrictedJoinRule);

    /// <summary>A restricted join rule that admits the members of <see cref="AllowedRoomIds"/>.</summary>
    public bool IsRestricted => (JoinRule == "restricted" && Version.SupportsRestrictedJoinRule)
        || (JoinRule == "knock_restricted" && Version.SupportsKnockRestrictedJoinRule);
}
