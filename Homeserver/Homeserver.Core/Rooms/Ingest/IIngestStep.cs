namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// One check or derivation of <see cref="EventIngest"/>, in the spec's order for received events ("Checks performed
/// on receipt of a PDU"). A step refuses an event by throwing <see cref="EventRefusedException"/>.
/// </summary>
public interface IIngestStep
{
    ValueTask RunAsync(IngestContext ctx, CancellationToken ct);
}
