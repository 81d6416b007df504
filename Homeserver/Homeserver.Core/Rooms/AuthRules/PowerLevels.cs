using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// The effective power levels of a room: its <c>m.room.power_levels</c> content with the spec's defaults
/// filled in (client-server API, <c>m.room.power_levels</c>; server-server API, "Definitions"), and the
/// room version's treatment of creators. Values that fail to parse read as absent, so the default applies;
/// an event holding them could not have passed rule "power levels 1–3" in the first place.
/// </summary>
public sealed class PowerLevels
{
    /// <summary>A room version 12 creator's level: above every level a power levels event can hold (±(2^53 − 1)).</summary>
    public const long Infinite = long.MaxValue;

    public const long DefaultUsersDefault = 0;
    public const long DefaultEventsDefault = 0;
    public const long DefaultStateDefault = 50;
    public const long DefaultBan = 50;
    public const long DefaultKick = 50;
    public const long DefaultRedact = 50;
    public const long DefaultInvite = 0;
    public const long DefaultRoomNotification = 50;

    /// <summary>Room versions 1–11: with no power levels event, the creator has 100 and everyone else 0.</summary>
    public const long CreatorLevelWithoutPowerLevels = 100;

    public const string RoomNotificationKey = "room";

    private readonly RoomVersion _version;

    private PowerLevels(RoomVersion version, JsonObject? content, IReadOnlySet<string> creators)
    {
        _version = version;
        HasPowerLevelsEvent = content is not null;
        Creators = creators;
        UsersDefault = Read(content, PowerLevelsKeys.UsersDefault, DefaultUsersDefault);
        EventsDefault = Read(content, PowerLevelsKeys.EventsDefault, DefaultEventsDefault);
        StateDefault = Read(content, PowerLevelsKeys.StateDefault, DefaultStateDefault);
        Ban = Read(content, PowerLevelsKeys.Ban, DefaultBan);
        Kick = Read(content, PowerLevelsKeys.Kick, DefaultKick);
        Redact = Read(content, PowerLevelsKeys.Redact, DefaultRedact);
        Invite = Read(content, PowerLevelsKeys.Invite, DefaultInvite);
        Users = ReadMap(content, PowerLevelsKeys.Users);
        Events = ReadMap(content, PowerLevelsKeys.Events);
        Notifications = ReadMap(content, PowerLevelsKeys.Notifications);
    }

    public bool HasPowerLevelsEvent { get; }

    /// <summary>The room's creators (<see cref="RoomCreators.All"/>); empty when there is no create event.</summary>
    public IReadOnlySet<string> Creators { get; }

    public long UsersDefault { get; }

    public long EventsDefault { get; }

    public long StateDefault { get; }

    public long Ban { get; }

    public long Kick { get; }

    public long Redact { get; }

    public long Invite { get; }

    public IReadOnlyDictionary<string, long> Users { get; }

    public IReadOnlyDictionary<string, long> Events { get; }

    public IReadOnlyDictionary<string, long> Notifications { get; }

    /// <summary>The level needed to trigger an <c>@room</c> notification.</summary>
    public long RoomNotification => NotificationLevel(RoomNotificationKey);

    /// <summary>The effective levels of the room described by <paramref name="state"/>.</summary>
    public static PowerLevels FromState(RoomVersion version, IAuthState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return From(version, state.Get(EventTypes.Create, ""), state.Get(EventTypes.PowerLevels, ""));
    }

    public static PowerLevels From(RoomVersion version, Pdu? create, Pdu? powerLevels)
    {
        ArgumentNullException.ThrowIfNull(version);
        IReadOnlySet<string> creators = create is null ? new HashSet<string>() : RoomCreators.All(version, create);
        return new PowerLevels(version, powerLevels?.Content, creators);
    }

    /// <summary>
    /// A user's level. Room version 12 creators are infinite whatever the power levels say; otherwise the
    /// <c>users</c> entry, else <c>users_default</c>, except that with no power levels event at all the
    /// creator has 100 before v12.
    /// </summary>
    public long GetUserLevel(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (_version.PrivilegedCreators && Creators.Contains(userId))
        {
            return Infinite;
        }

        if (!HasPowerLevelsEvent)
        {
            return !_version.PrivilegedCreators && Creators.Contains(userId) ? CreatorLevelWithoutPowerLevels : DefaultUsersDefault;
        }

        return Users.TryGetValue(userId, out long level) ? level : UsersDefault;
    }

    public long GetUserLevel(UserId userId) => GetUserLevel(userId.ToString());

    public bool IsCreator(string userId) => Creators.Contains(userId);

    /// <summary>
    /// The event type's "required power level" (server-server API, "Definitions"): its <c>events</c> entry,
    /// else <c>state_default</c> for a state event or <c>events_default</c> for any other.
    /// </summary>
    public long GetRequiredLevel(string eventType, bool isState)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return Events.TryGetValue(eventType, out long level) ? level : isState ? StateDefault : EventsDefault;
    }

    /// <summary>The <c>notifications</c> entry for <paramref name="key"/>; 50, the documented <c>room</c> default, when absent.</summary>
    public long NotificationLevel(string key) =>
        Notifications.TryGetValue(key, out long level) ? level : DefaultRoomNotification;

    private long Read(JsonObject? content, string key, long defaultValue) =>
        PowerLevelValue.TryRead(content?[key], _version, out long value) ? value : defaultValue;

    private Dictionary<string, long> ReadMap(JsonObject? content, string key)
    {
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        if (content?[key] is JsonObject entries)
        {
            foreach ((string name, JsonNode? node) in entries)
            {
                if (PowerLevelValue.TryRead(node, _version, out long value))
                {
                    map[name] = value;
                }
            }
        }

        return map;
    }
}
