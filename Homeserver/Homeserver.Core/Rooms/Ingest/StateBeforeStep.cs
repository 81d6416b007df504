using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 4: the room's state before the event, from the state after each of its <c>prev_events</c>
/// (<see cref="PrevStateResolver"/>), or those that stand in for rejected ones (<see cref="IngestContext.StatePrevEvents"/>).
/// A local writer built the event on that state already and passes it in.
/// </summary>
public sealed class StateBeforeStep(EventStore events, PrevStateResolver resolver) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        if (ctx.StateBefore is not null || ctx.NewRoom is not null)
            return;
        var ev = ctx.Event;
        if (ctx.StatePrevRows is { } read)
        {
            ctx.StateBefore = await resolver.ResolveAsync(ev.RoomId, read, ct);
            return;
        }
        var prevs = new List<EventRow>();
        foreach (var id in ctx.StatePrevEvents ?? ev.PrevEvents.Select(e => e.ToString()).ToList())
        {
            var row = await events.GetAsync(id, ct);
            if (row is null || row.RoomId != ev.RoomId.ToString())
                throw new EventRefusedException(nameof(StateBeforeStep), $"Event {ev.EventId} names the unknown prev event {id}");
            prevs.Add(row);
        }
        ctx.StateBefore = await resolver.ResolveAsync(ev.RoomId, prevs, ct);
    }
}
