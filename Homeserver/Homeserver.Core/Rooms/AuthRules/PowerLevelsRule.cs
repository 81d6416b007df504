using System.Text.Json.Nodes;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Auth rule 9 of room versions 6 to 11 (rule 10 of versions 1–5 and 12): an <c>m.room.power_levels</c> event
/// must be well formed, and nobody may grant, or take away, a level above their own.
/// </summary>
internal static class PowerLevelsRule
{
    private const string Rule = EventTypes.PowerLevels;

    public static AuthResult Check(RoomVersion version, Pdu ev, IAuthState state, PowerLevels current)
    {
        // 9.1–9.3 and v12's 10.4.
        if (PowerLevelsContentValidator.Validate(version, ev.Content, current.Creators) is { } problem)
        {
            return AuthResult.Denied($"{Rule}: {problem}");
        }

        // 9.4: the first power levels event is bounded only by who may send it (rule 7).
        if (state.Get(EventTypes.PowerLevels, "") is not { } previous)
        {
            return AuthResult.Allowed;
        }

        string sender = ev.Sender.ToString();
        long senderLevel = current.GetUserLevel(sender);

        // 9.5: an alteration is an addition, change or removal. Raw values are compared, not the
        // defaults they stand for, so adding "ban": 50 where the default already is 50 still counts.
        foreach (string key in PowerLevelsKeys.Levels)
        {
            long? oldValue = Value(version, previous.Content[key]);
            long? newValue = Value(version, ev.Content[key]);
            if (oldValue == newValue)
            {
                continue;
            }

            if (oldValue > senderLevel || newValue > senderLevel)
            {
                return AuthResult.Denied($"{Rule}: changing '{key}' needs a level the sender does not have");
            }
        }

        // 9.6 and 9.7: entries of events, and of notifications from v6.
        foreach (string key in PowerLevelsKeys.LevelMaps)
        {
            if (key == PowerLevelsKeys.Notifications && !version.PowerLevelsRuleChecksNotifications)
            {
                continue;
            }

            foreach ((string name, long? oldValue, long? newValue) in Changes(version, previous.Content[key], ev.Content[key]))
            {
                if (oldValue > senderLevel || newValue > senderLevel)
                {
                    return AuthResult.Denied($"{Rule}: changing '{key}.{name}' needs a level the sender does not have");
                }
            }
        }

        // 9.8 and 9.9: a user at or above the sender's level cannot be changed by them, except the sender
        // themselves (stepping down); nobody can be raised above the sender.
        foreach ((string user, long? oldValue, long? newValue) in Changes(version, previous.Content[PowerLevelsKeys.Users], ev.Content[PowerLevelsKeys.Users]))
        {
            if (oldValue >= senderLevel && user != sender)
            {
                return AuthResult.Denied($"{Rule}: {user} has a level at or above the sender's and cannot be changed by them");
            }

            if (newValue > senderLevel)
            {
                return AuthResult.Denied($"{Rule}: {user} cannot be given a level above the sender's");
            }
        }

        return AuthResult.Allowed;
    }

    private static long? Value(RoomVersion version, JsonNode? node) =>
        PowerLevelValue.TryRead(node, version, out long value) ? value : null;

    // Every entry added, changed or removed between two maps, with its old and new value (null = absent).
    private static IEnumerable<(string Name, long? Old, long? New)> Changes(RoomVersion version, JsonNode? oldMap, JsonNode? newMap)
    {
        JsonObject oldEntries = oldMap as JsonObject ?? [];
        JsonObject newEntries = newMap as JsonObject ?? [];
        foreach (string name in oldEntries.Select(pair => pair.Key).Union(newEntries.Select(pair => pair.Key), StringComparer.Ordinal))
        {
            long? oldValue = Value(version, oldEntries[name]);
            long? newValue = Value(version, newEntries[name]);
            if (oldValue != newValue)
            {
                yield return (name, oldValue, newValue);
            }
        }
    }
}
