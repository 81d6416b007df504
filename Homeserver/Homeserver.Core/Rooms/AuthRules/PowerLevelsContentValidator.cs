using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// The shape checks on new <c>m.room.power_levels</c> content: auth rules 9.1–9.3 of room versions 10
/// and 11, and 10.1–10.4 of version 12 (which adds the creators check). Public so the client API can
/// refuse a bad request before it builds an event.
/// </summary>
public static class PowerLevelsContentValidator
{
    /// <summary>Null when <paramref name="content"/> is acceptable, else the reason it is not.</summary>
    /// <param name="creators">The room's creators; only consulted when the version has privileged creators.</param>
    public static string? Validate(RoomVersion version, JsonObject content, IReadOnlySet<string> creators)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(creators);

        // 9.1 (v10+): the single levels, when present, are integers. Older versions skipped this check;
        // values that fail to parse there simply read as absent.
        foreach (string key in PowerLevelsKeys.Levels)
        {
            if (version.IntegerOnlyPowerLevels && content.TryGetPropertyValue(key, out JsonNode? node)
                && !PowerLevelValue.TryRead(node, version, out _))
            {
                return $"'{key}' is not an integer";
            }
        }

        // 9.2 (v10+): events and notifications, when present, are objects of integers.
        foreach (string key in PowerLevelsKeys.LevelMaps)
        {
            if (version.IntegerOnlyPowerLevels && content.TryGetPropertyValue(key, out JsonNode? node)
                && !IsLevelMap(node, version, requireUserIdKeys: false))
            {
                return $"'{key}' is not an object of integers";
            }
        }

        // 9.3: users is an object of user ID → integer. An absent users is accepted: the rule's "is not an
        // object" is read as applying to a present value, as deployed servers do.
        if (content.TryGetPropertyValue(PowerLevelsKeys.Users, out JsonNode? users)
            && !IsLevelMap(users, version, requireUserIdKeys: true))
        {
            return "'users' is not an object of user IDs to integers";
        }

        // v12 10.4 (MSC4289): creators have infinite power, so they cannot be given a finite one.
        if (version.PrivilegedCreators && users is JsonObject userLevels
            && userLevels.Select(pair => pair.Key).FirstOrDefault(creators.Contains) is { } creator)
        {
            return $"'users' lists the room creator {creator}";
        }

        return null;
    }

    private static bool IsLevelMap(JsonNode? node, RoomVersion version, bool requireUserIdKeys) =>
        node is JsonObject map
        && map.All(pair => (!requireUserIdKeys || UserId.TryParse(pair.Key, out _))
            && PowerLevelValue.TryRead(pair.Value, version, out _));
}
