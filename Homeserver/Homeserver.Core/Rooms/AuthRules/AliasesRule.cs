using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Auth rule 4 of room versions 1 to 5 (removed in v6): an <c>m.room.aliases</c> event is its sender's server's
/// list of the room's aliases, keyed by that server's name, and decided by that alone, membership included.
/// </summary>
internal static class AliasesRule
{
    private const string Rule = EventTypes.Aliases;

    public static AuthResult Check(Pdu ev)
    {
        if (ev.StateKey is not { } stateKey)
        {
            return AuthResult.Denied($"{Rule}: it has no state_key");
        }

        return stateKey == ev.Sender.ServerName
            ? AuthResult.Allowed
            : AuthResult.Denied($"{Rule}: the state_key is not the sender's server name");
    }
}
