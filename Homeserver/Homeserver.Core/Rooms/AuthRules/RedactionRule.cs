using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Redactions. In room versions 1 and 2 the auth rules decide them (rule 11, <see cref="Check"/>). Since room
/// version 3 the auth rules treat <c>m.room.redaction</c> like any other event (rule 7: its required level from
/// <c>events</c> or <c>events_default</c>; the redact level is "not considered"), and in v11+ <c>redacts</c> lives
/// in <c>content</c>. Whether a redaction is then applied is decided here, when both events are at hand
/// ("Handling redactions").
/// </summary>
public static class RedactionRule
{
    /// <summary>
    /// Whether an allowed <paramref name="redaction"/> may be applied to <paramref name="original"/> and served:
    /// it targets that event in the same room, and its sender has the redact level or is on the original
    /// sender's server. The second condition holds even where the sender could not send the original's type.
    /// </summary>
    public static bool ShouldApply(Pdu redaction, Pdu original, PowerLevels levels)
    {
        ArgumentNullException.ThrowIfNull(redaction);
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(levels);
        if (redaction.Type != EventTypes.Redaction || redaction.Redacts != original.EventId || redaction.RoomId != original.RoomId)
        {
            return false;
        }

        return levels.GetUserLevel(redaction.Sender) >= levels.Redact
            || (redaction.RoomVersion.RedactionsInAuthRules
                ? SameEventIdServer(redaction, original.EventId)
                : redaction.Sender.ServerName == original.Sender.ServerName);
    }

    /// <summary>
    /// Room versions 1–2, auth rule 11: the redact level, or a redaction minted by the server that minted the event
    /// it redacts (the domains of their event IDs). The redacted event need not be known: only its ID is compared.
    /// </summary>
    internal static AuthResult Check(Pdu redaction, PowerLevels levels)
    {
        if (levels.GetUserLevel(redaction.Sender) >= levels.Redact)
        {
            return AuthResult.Allowed;
        }

        return redaction.Redacts is { } target && SameEventIdServer(redaction, target)
            ? AuthResult.Allowed
            : AuthResult.Denied($"{EventTypes.Redaction}: below the redact level, and the redacted event is from another server");
    }

    private static bool SameEventIdServer(Pdu redaction, EventId target) =>
        target.ServerName is { } server && server == redaction.EventId.ServerName;

    /// <summary>
    /// The client API's check before a user sends a redaction (client-server API, <c>m.room.power_levels</c>):
    /// the <c>m.room.redaction</c> level always, and the redact level too unless they redact their own event.
    /// Stricter than <see cref="ShouldApply"/>, which trusts a server for all its users.
    /// </summary>
    public static bool MaySend(UserId sender, UserId originalSender, PowerLevels levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        long level = levels.GetUserLevel(sender);
        return level >= levels.GetRequiredLevel(EventTypes.Redaction, isState: false)
            && (sender == originalSender || level >= levels.Redact);
    }
}
