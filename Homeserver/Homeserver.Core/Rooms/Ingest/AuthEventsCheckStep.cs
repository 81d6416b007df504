using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 3: the event is allowed by the state its own <c>auth_events</c> form (and they are the right ones for it).
/// Rejected events are not stored, so an auth event not found may be one: naming a rejected event as an auth event
/// gets an event rejected too (as Synapse rejects it), while one merely unknown here is refused without a verdict.
/// </summary>
public sealed class AuthEventsCheckStep(StateService state, SetAsideEventStore setAside) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        var ev = ctx.Event;
        if (ctx.AuthEvents is null)
        {
            var loaded = new List<Pdu>();
            foreach (var id in ev.AuthEvents)
                loaded.Add(await state.GetEventAsync(id.ToString(), ev.RoomVersion, ct) ?? throw await MissingAsync(ev, id, ct));
            ctx.AuthEvents = loaded;
        }
        Pdu? create = null;
        if (ev.RoomVersion.RoomIdIsCreateEventId && ev.Type != EventTypes.Create)
            create = await state.GetEventAsync("$" + ev.RoomId.Opaque, ev.RoomVersion, ct);
        var verdict = EventAuthRules.CheckWithAuthEvents(ev.RoomVersion, ev, ctx.AuthEvents, _ => false, create);
        if (!verdict.IsAllowed)
            throw new EventRefusedException(nameof(AuthEventsCheckStep), verdict.Reason!, rejected: true);
    }

    private async Task<EventRefusedException> MissingAsync(Pdu ev, EventId id, CancellationToken ct) =>
        await setAside.ReasonAsync(SetAside.Rejected, id.ToString(), ct) is { } reason
            ? new EventRefusedException(nameof(AuthEventsCheckStep), $"Event {ev.EventId} names the rejected event {id} as an auth event ({reason})", rejected: true)
            : new EventRefusedException(nameof(AuthEventsCheckStep), $"Event {ev.EventId} names the unknown auth event {id}");
}
