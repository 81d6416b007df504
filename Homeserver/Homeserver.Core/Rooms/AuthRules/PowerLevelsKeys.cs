namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>The <c>content</c> keys of <c>m.room.power_levels</c> (client-server API, <c>m.room.power_levels</c>).</summary>
public static class PowerLevelsKeys
{
    public const string UsersDefault = "users_default";
    public const string EventsDefault = "events_default";
    public const string StateDefault = "state_default";
    public const string Ban = "ban";
    public const string Kick = "kick";
    public const string Redact = "redact";
    public const string Invite = "invite";
    public const string Users = "users";
    public const string Events = "events";
    public const string Notifications = "notifications";

    /// <summary>The single-integer properties, in the order auth rules 9.1 and 9.5 (v12: 10.1, 10.6) list them.</summary>
    public static IReadOnlyList<string> Levels { get; } = [UsersDefault, EventsDefault, StateDefault, Ban, Redact, Kick, Invite];

    /// <summary>The maps of event type or notification key → level (auth rules 9.2, 9.6, 9.7; v12: 10.2, 10.7, 10.8).</summary>
    public static IReadOnlyList<string> LevelMaps { get; } = [Events, Notifications];
}
