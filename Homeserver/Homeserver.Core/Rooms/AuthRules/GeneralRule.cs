using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// The rules every event other than create and member events passes, whatever its type: rules 5, 7 and 8
/// of room versions 10 and 11 (6, 8 and 9 of version 12). Redactions are among them: from room version 3
/// the auth rules give <c>m.room.redaction</c> only its required level, never the redact level.
/// </summary>
internal static class GeneralRule
{
    /// <summary>Rule 5: only members may act in the room.</summary>
    public static AuthResult CheckJoined(Pdu ev, IAuthState state) =>
        Membership.Of(state, ev.Sender.ToString()) == Membership.Join
            ? AuthResult.Allowed
            : AuthResult.Denied($"{ev.Type}: the sender is not joined");

    /// <summary>
    /// Rules 7 and 8: the sender has the event type's required power level, and a state key that looks
    /// like a user ID is the sender's own (no exception exists in versions 10 to 12).
    /// </summary>
    public static AuthResult CheckLevelAndStateKey(Pdu ev, PowerLevels levels)
    {
        long required = levels.GetRequiredLevel(ev.Type, ev.IsState);
        if (required > levels.GetUserLevel(ev.Sender))
        {
            return AuthResult.Denied($"{ev.Type}: the sender's level is below the required level {required}");
        }

        if (ev.StateKey is { } stateKey && stateKey.StartsWith('@') && stateKey != ev.Sender.ToString())
        {
            return AuthResult.Denied($"{ev.Type}: a state_key starting with '@' must be the sender");
        }

        return AuthResult.Allowed;
    }
}
