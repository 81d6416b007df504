using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Reads <c>m.room.join_rules</c>. The event has no authorisation rule of its own in room versions 10–12
/// (it is a state event like any other, sent at its required power level); what matters is how the
/// member rules read it.
/// </summary>
public static class JoinRules
{
    public const string JoinRuleKey = "join_rule";
    public const string AllowKey = "allow";
    public const string RoomMembershipCondition = "m.room_membership";

    /// <summary>
    /// The room's join rule. With no join rules event, or one without <c>join_rule</c>, the rule is
    /// <see cref="JoinRule.Invite"/>: the spec leaves this case open and deployed servers use invite.
    /// A value the room version does not support (e.g. <c>knock</c> before v7) is <see cref="JoinRule.Unknown"/>.
    /// </summary>
    public static JoinRule Read(RoomVersion version, IAuthState state)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Get(EventTypes.JoinRules, "") is not { } joinRules || !joinRules.Content.ContainsKey(JoinRuleKey))
        {
            return JoinRule.Invite;
        }

        return Parse(version, PduReader.TryGetString(joinRules.Content[JoinRuleKey], out string? value) ? value : null);
    }

    public static JoinRule Parse(RoomVersion version, string? value) => value switch
    {
        "public" => JoinRule.Public,
        "invite" => JoinRule.Invite,
        "private" => JoinRule.Private,
        "knock" when version.SupportsKnocking => JoinRule.Knock,
        "restricted" when version.SupportsRestrictedJoinRule => JoinRule.Restricted,
        "knock_restricted" when version.SupportsKnockRestrictedJoinRule => JoinRule.KnockRestricted,
        _ => JoinRule.Unknown,
    };

    /// <summary>
    /// The rooms whose joined members satisfy a restricted rule's <c>allow</c> list. Malformed or unknown
    /// conditions are skipped: "improper or no allow conditions" make the room effectively invite-only.
    /// </summary>
    public static IReadOnlyList<RoomId> AllowedRoomIds(Pdu joinRules)
    {
        ArgumentNullException.ThrowIfNull(joinRules);
        var rooms = new List<RoomId>();
        if (joinRules.Content[AllowKey] is JsonArray conditions)
        {
            foreach (JsonNode? condition in conditions)
            {
                if (condition is JsonObject fields
                    && PduReader.TryGetString(fields["type"], out string? type) && type == RoomMembershipCondition
                    && PduReader.TryGetString(fields["room_id"], out string? roomId) && RoomId.TryParse(roomId, out RoomId? room))
                {
                    rooms.Add(room.Value);
                }
            }
        }

        return rooms;
    }
}
