using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 1: the event is well formed for its room version and within the size limits. The event was parsed
/// against its version when it became a <see cref="Pdu"/>; this checks that it is an event of the room it is
/// being added to, in that room's version. A room has one create event: the one it was created or joined with, which
/// may come again only as backfilled history, to take its place at the start of the timeline.
/// </summary>
public sealed class FormatCheckStep(RoomStore rooms, CurrentStateStore current) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        var ev = ctx.Event;
        if (ctx.NewRoom is not null)
        {
            if (ev.Type != EventTypes.Create)
                throw new EventRefusedException(nameof(FormatCheckStep), $"Only an m.room.create event creates a room, not {ev.Type}");
            return;
        }
        var version = await rooms.VersionOfAsync(ev.RoomId.ToString(), ct);
        if (version.Id != ev.RoomVersion.Id)
            throw new EventRefusedException(nameof(FormatCheckStep), $"Event {ev.EventId} was read as room version {ev.RoomVersion.Id}, but its room is version {version.Id}");
        if (ev.Type == EventTypes.Create && !(ctx.BackfillOrdering is not null && await IsTheRoomsCreateEventAsync(ev, ct)))
            throw new EventRefusedException(nameof(FormatCheckStep), $"Room {ev.RoomId} already has its create event");
        if (ev.PrevEvents.Count == 0 && ev.Type != EventTypes.Create)
            throw new EventRefusedException(nameof(FormatCheckStep), $"Event {ev.EventId} has no prev_events");
    }

    private async Task<bool> IsTheRoomsCreateEventAsync(Pdu ev, CancellationToken ct) =>
        (await current.GetStateAsync(ev.RoomId.ToString(), ct)).GetValueOrDefault(new StateEventKey(EventTypes.Create, "")) == ev.EventId.ToString();
}
