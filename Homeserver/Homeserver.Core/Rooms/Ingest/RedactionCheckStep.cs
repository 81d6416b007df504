using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 7: another server's redaction of an event we hold, which the redaction may not redact (spec "Handling
/// redactions"): one of another room's event, or, since room version 3 (whose auth rules leave this to the server),
/// one of another server's user's event without the redact level. It is stored as an event of the room (other servers
/// build on it, as on any event the auth rules allow), but redacts nothing. A redaction of an event we do not hold yet
/// is stored and applies to nothing.
/// Local redactions were held to the same rule where they were made (<see cref="RedactionPolicy"/>).
/// </summary>
public sealed class RedactionCheckStep(EventStore events, StateService state) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        var redaction = ctx.Event;
        if (ctx.IsLocal || ctx.SoftFailReason is not null || ctx.BackfillOrdering is not null || redaction.Type != EventTypes.Redaction
            || redaction.Redacts is not { } target || await events.GetIncludingOutliersAsync(target.ToString(), ct) is not { } row)
            return;
        if (row.RoomId != redaction.RoomId.ToString())
        {
            ctx.RedactionWithheld = $"redacts {target}, an event of another room";
            return;
        }
        // The row read above is the original: no second read of it through the state cache.
        var original = StateService.ToPdu(row, redaction.RoomVersion);
        var map = ctx.StateBefore!.Map;
        var levels = PowerLevels.From(redaction.RoomVersion, await state.GetStateEventAsync(map, EventTypes.Create, redaction.RoomVersion, ct),
            await state.GetStateEventAsync(map, EventTypes.PowerLevels, redaction.RoomVersion, ct));
        if (!RedactionRule.ShouldApply(redaction, original, levels))
            ctx.RedactionWithheld = $"may not redact {target}: another server's user's event, without the redact level";
    }
}
