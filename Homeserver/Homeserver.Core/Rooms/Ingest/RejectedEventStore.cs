using Homeserver.Core.Events;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Events from other servers that the authorisation rules refused (spec "Rejection"). They are kept out of the
/// timeline and the state like every refused event, but their IDs are remembered: an event that names one as an auth
/// event is rejected in turn, and the same event arriving again is answered without being checked again.
/// </summary>
public sealed class RejectedEventStore(Database db)
{
    private const string Insert = """
        INSERT INTO rejected_events (event_id, room_id, reason, json, received_ts) VALUES (@EventId, @RoomId, @Reason, @Json, @Ts)
        ON CONFLICT (event_id) DO NOTHING
        """;
    private const string SelectReason = "SELECT reason FROM rejected_events WHERE event_id = @EventId";

    public Task InsertAsync(Pdu pdu, string reason, long ts, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new
        {
            EventId = pdu.EventId.ToString(), RoomId = pdu.RoomId.ToString(), Reason = reason, Json = pdu.Json.ToJsonString(), Ts = ts,
        }, ct, tx), ct);

    /// <summary>Why the event was rejected; null when it was not.</summary>
    public Task<string?> ReasonAsync(string eventId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectReason, new { EventId = eventId }, ct), ct);
}
