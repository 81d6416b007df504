using Homeserver.Core.Events;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// Events that passed their own checks but not the room's current state (spec "Soft failure"): kept for the DAG and
/// for an operator to look at, outside the timeline, so no read serves them and no new event builds on them.
/// </summary>
public sealed class SoftFailedEventStore(Database db)
{
    private const string Insert = """
        INSERT INTO soft_failed_events (event_id, room_id, reason, json, received_ts) VALUES (@EventId, @RoomId, @Reason, @Json, @Ts)
        ON CONFLICT (event_id) DO NOTHING
        """;
    private const string SelectReason = "SELECT reason FROM soft_failed_events WHERE event_id = @EventId";

    public Task InsertAsync(Pdu pdu, string reason, long ts, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new
        {
            EventId = pdu.EventId.ToString(), RoomId = pdu.RoomId.ToString(), Reason = reason, Json = pdu.Json.ToJsonString(), Ts = ts,
        }, ct, tx), ct);

    /// <summary>Why the event was soft-failed; null when it was not.</summary>
    public Task<string?> ReasonAsync(string eventId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectReason, new { EventId = eventId }, ct), ct);
}
