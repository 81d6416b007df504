using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 7: whether another server's redaction may redact what it names (spec "Handling redactions"). One of another
/// room's event, or, since room version 3 (whose auth rules leave this to the server), one of another server's user's
/// event without the redact level, is stored as an event of the room (other servers build on it, as on any event the
/// auth rules allow), but redacts nothing. A redaction of an event we do not hold yet is stored and applies to nothing.
/// The verdict is stored with the event, so reads withhold a redaction of another room's event without looking again.
/// Local redactions were held to the same rule where they were made (<see cref="RedactionPolicy"/>).
/// </summary>
public sealed class RedactionCheckStep(EventStore events, StateService state) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        var redaction = ctx.Event;
        if (ctx.IsLocal || ctx.SoftFailReason is not null || redaction.Type != EventTypes.Redaction || redaction.Redacts is not { } target)
            return;
        if (await events.GetIncludingOutliersAsync(target.ToString(), ct) is not { } row)
            ctx.Redaction = RedactionVerdict.TargetUnknown;
        else if (row.RoomId != redaction.RoomId.ToString())
            ctx.Redaction = RedactionVerdict.OtherRoom;
        else if (!await MayRedactAsync(ctx, row, ct))
            ctx.Redaction = RedactionVerdict.NotPermitted;
    }

    private async Task<bool> MayRedactAsync(IngestContext ctx, EventRow row, CancellationToken ct)
    {
        var redaction = ctx.Event;
        // The row read above is the original: no second read of it through the state cache.
        var original = StateService.ToPdu(row, redaction.RoomVersion);
        var map = ctx.StateBefore!.Map;
        var levels = PowerLevels.From(redaction.RoomVersion, await state.GetStateEventAsync(map, EventTypes.Create, redaction.RoomVersion, ct),
            await state.GetStateEventAsync(map, EventTypes.PowerLevels, redaction.RoomVersion, ct));
        return RedactionRule.ShouldApply(redaction, original, levels);
    }
}
