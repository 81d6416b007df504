using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms;

/// <summary>
/// The part of redaction the auth rules leave to the server (since room version 3 they only compare
/// domains): a local user may redact someone else's event only with the room's <c>redact</c> level.
/// </summary>
public sealed class RedactionPolicy(EventStore events, CurrentStateStore current, StateService state)
{
    public async Task EnsureMayRedactAsync(string roomId, RoomVersion version, string sender, string targetEventId, CancellationToken ct)
    {
        var target = await events.GetAsync(targetEventId, ct);
        if (target is null || target.RoomId != roomId)
            throw MatrixException.NotFound("Event not found");
        var levels = await state.PowerLevelsAsync(await current.GetStateAsync(roomId, ct), version, ct);
        if (!RedactionRule.MaySend(Identifiers.UserId.Parse(sender), Identifiers.UserId.Parse(target.Sender), levels))
            throw MatrixException.Forbidden("You need the redact power level to redact other users' events");
    }
}
