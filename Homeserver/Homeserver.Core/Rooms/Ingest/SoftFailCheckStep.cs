using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 6: an event allowed by the state before it but not by the room's current state (say, from a member banned
/// on another branch meanwhile) is soft-failed: stored, but never served to clients or built upon. An event built
/// on the room's current extremities has the current state as its state before, so the check is already made. A
/// backfilled event is history: today's state has no say over it, as in Synapse.
/// </summary>
public sealed class SoftFailCheckStep(RoomStore rooms, CurrentStateStore current, StateService state) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        if (ctx.NewRoom is not null || ctx.IsLocal || ctx.BackfillOrdering is not null)
            return;
        var ev = ctx.Event;
        var roomId = ev.RoomId.ToString();
        ctx.ForwardExtremities ??= await rooms.ForwardExtremitiesAsync(roomId, ct);
        var extremities = ctx.ForwardExtremities.Select(r => r.EventId).ToHashSet(StringComparer.Ordinal);
        if (extremities.SetEquals(ev.PrevEvents.Select(p => p.ToString())))
            return;
        var verdict = await StateAuthCheckStep.AuthoriseAsync(state, ev, await current.GetStateAsync(roomId, ct), ct);
        if (!verdict.IsAllowed)
            ctx.SoftFailReason = verdict.Reason;
    }
}
