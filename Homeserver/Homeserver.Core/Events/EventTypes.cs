namespace Homeserver.Core.Events;

/// <summary>Event types the server itself interprets, in one place so a typo cannot invent a new one.</summary>
public static class EventTypes
{
    public const string Create = "m.room.create";
    public const string Member = "m.room.member";
    public const string JoinRules = "m.room.join_rules";
    public const string PowerLevels = "m.room.power_levels";
    public const string HistoryVisibility = "m.room.history_visibility";
    public const string GuestAccess = "m.room.guest_access";
    public const string Redaction = "m.room.redaction";
    public const string Aliases = "m.room.aliases";
    public const string ThirdPartyInvite = "m.room.third_party_invite";
}
