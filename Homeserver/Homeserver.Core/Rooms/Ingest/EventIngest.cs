using Homeserver.Core.Observability;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// The one way an event enters a room, whoever wrote it: the spec's checks for a received PDU in its order, one
/// step each, then <see cref="EventPersister"/> (one transaction, then the events stream). Local sends come through
/// here with what their writer already knows filled in; federation's inbound events take the same steps. An event
/// from elsewhere that the authorisation rules reject is recorded as rejected (<see cref="SetAsideEventStore"/>).
/// </summary>
public sealed class EventIngest(FormatCheckStep format, SignatureCheckStep signatures, AuthEventsCheckStep authEvents,
    StateBeforeStep stateBefore, StateAuthCheckStep stateAuth, SoftFailCheckStep softFail, RedactionCheckStep redactions, EventPersister persister,
    SetAsideEventStore setAside, TimeProvider time, ILogger<EventIngest> log)
{
    /// <summary>Runs the checks and persists the event; null when it was soft-failed (stored aside, served to no one).</summary>
    /// <exception cref="EventRefusedException">A step refused the event; nothing was stored.</exception>
    public async Task<EventPersister.Persisted?> IngestAsync(IngestContext ctx, CancellationToken ct)
    {
        using var activity = HomeserverTelemetry.Source.StartActivity("event ingest");
        activity?.SetTag("matrix.event.type", ctx.Event.Type);
        activity?.SetTag("matrix.event.origin", ctx.IsLocal ? "local" : "remote");
        IIngestStep[] steps = [format, signatures, authEvents, stateBefore, stateAuth, softFail, redactions];
        foreach (var step in steps)
        {
            try
            {
                await step.RunAsync(ctx, ct);
            }
            catch (EventRefusedException e)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Step);
                log.LogInformation(
                    "Refused event {EventId} ({EventType}) in {RoomId} from {Origin} at {Step}: {Reason}",
                    ctx.Event.EventId, ctx.Event.Type, ctx.Event.RoomId, ctx.Origin, e.Step, e.Message);
                // A local event refused here was never sent anywhere, so nothing can name it later.
                if (e.Rejected && !ctx.IsLocal)
                    await setAside.InsertAsync(SetAside.Rejected, ctx.Event, e.Message, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
                throw;
            }
        }
        if (ctx.SoftFailReason is { } reason)
            log.LogInformation("Soft-failed event {EventId} ({EventType}) in {RoomId} from {Origin}: {Reason}",
                ctx.Event.EventId, ctx.Event.Type, ctx.Event.RoomId, ctx.Origin, reason);
        return await persister.PersistAsync(ctx, ct);
    }
}
