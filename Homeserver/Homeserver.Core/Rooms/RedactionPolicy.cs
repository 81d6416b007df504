using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Rooms;

/// <summary>
/// The part of redaction the auth rules leave to the server (since room version 3 they only compare
/// domains): a local user may redact an event of the same room, and someone else's only with the room's
/// <c>redact</c> level. Applied to every redaction a local user creates, whichever endpoint carried it.
/// </summary>
public sealed class RedactionPolicy(RoomEventGuard guard, EventStore events)
{
    public async Task EnsureMayRedactAsync(RoomId roomId, UserId sender, EventId target, PowerLevels levels, CancellationToken ct)
    {
        // As Synapse answers: a known event of another room is a bad request (the client named the wrong room), not
        // an unknown event. Event IDs are not guessable, so this tells nothing the client did not already hold.
        if (await events.GetAsync(target.ToString(), ct) is { } elsewhere && elsewhere.RoomId != roomId.ToString())
            throw MatrixException.InvalidParam("Cannot redact an event of a different room");
        var original = await guard.InRoomAsync(roomId, target, ct);
        if (original.EventType == EventTypes.Create && original.StateKey == "")
            throw MatrixException.Forbidden("A room's create event cannot be redacted");
        if (!RedactionRule.MaySend(sender, UserId.Parse(original.Sender), levels))
            throw MatrixException.Forbidden("You need the redact power level to redact other users' events");
    }

    /// <summary>
    /// The event a redaction names: the endpoint's target, else <c>content.redacts</c> (where room version 11 keeps
    /// it, and where a client sending through <c>/send</c> puts it in any version).
    /// </summary>
    public static EventId TargetOf(System.Text.Json.Nodes.JsonObject content, EventId? fromPath)
    {
        if (fromPath is { } target)
            return target;
        if (content[PduKeys.Redacts] is not System.Text.Json.Nodes.JsonValue v || !v.TryGetValue(out string? id))
            throw MatrixException.MissingParam("A redaction needs 'redacts', the ID of the event it redacts");
        return EventId.Parse(id);
    }
}
