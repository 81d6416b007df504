using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 3: the event is allowed by the state its own <c>auth_events</c> form (and they are the right ones for it).
/// Stored events are never rejected ones here, since rejected events are not stored.
/// </summary>
public sealed class AuthEventsCheckStep(StateService state) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        var ev = ctx.Event;
        if (ctx.AuthEvents is null)
        {
            var loaded = new List<Pdu>();
            foreach (var id in ev.AuthEvents)
                loaded.Add(await state.GetEventAsync(id.ToString(), ev.RoomVersion, ct)
                    ?? throw new EventRefusedException(nameof(AuthEventsCheckStep), $"Event {ev.EventId} names the unknown auth event {id}"));
            ctx.AuthEvents = loaded;
        }
        Pdu? create = null;
        if (ev.RoomVersion.RoomIdIsCreateEventId && ev.Type != EventTypes.Create)
            create = await state.GetEventAsync("$" + ev.RoomId.Opaque, ev.RoomVersion, ct);
        var verdict = EventAuthRules.CheckWithAuthEvents(ev.RoomVersion, ev, ctx.AuthEvents, _ => false, create);
        if (!verdict.IsAllowed)
            throw new EventRefusedException(nameof(AuthEventsCheckStep), verdict.Reason!);
    }
}
