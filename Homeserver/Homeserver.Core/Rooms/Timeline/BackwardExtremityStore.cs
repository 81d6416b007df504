using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// A room's backward extremities: the prev events of its timeline events that the timeline does not hold (the history
/// before a join over federation, or a gap <c>get_missing_events</c> left). Kept as each event is persisted; backfilling
/// from other servers starts from them, backing off those no server would give.
/// </summary>
public sealed class BackwardExtremityStore(Database db)
{
    /// <summary>The first wait after a failed backfill from an extremity; it doubles per failure.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two tries of one extremity.</summary>
    public static readonly TimeSpan LongestRetry = TimeSpan.FromDays(1);

    private const string Delete = "DELETE FROM room_backward_extremities WHERE room_id = @RoomId AND event_id = @EventId";
    private const string InsertMissing = """
        INSERT INTO room_backward_extremities (room_id, event_id, successor_ordering)
        SELECT @RoomId, @EventId, @Successor WHERE NOT EXISTS (SELECT 1 FROM events WHERE event_id = @EventId)
        ON CONFLICT (room_id, event_id) DO NOTHING
        """;
    // Only those at the start of the timeline: events fetched from there take stream positions below every event of the
    // room, which is their place; a gap between two events held here would be listed out of order.
    private const string SelectDue = """
        SELECT event_id AS EventId, attempts AS Attempts FROM room_backward_extremities
        WHERE room_id = @RoomId AND next_attempt_ts <= @Now
          AND successor_ordering <= COALESCE((SELECT MIN(stream_ordering) FROM events WHERE room_id = @RoomId AND stream_ordering > 0), 0)
        ORDER BY successor_ordering, event_id LIMIT @Limit
        """;
    private const string SelectAttempts = "SELECT event_id AS EventId, attempts AS Attempts FROM room_backward_extremities WHERE room_id = @RoomId AND event_id = @EventId";
    private const string UpdateAttempts = """
        UPDATE room_backward_extremities SET attempts = @Attempts, next_attempt_ts = @Next WHERE room_id = @RoomId AND event_id = @EventId
        """;

    public sealed class Extremity
    {
        public string EventId { get; set; } = "";
        public long Attempts { get; set; }
    }

    /// <summary>
    /// In the transaction that adds <paramref name="eventId"/> to the room's timeline at <paramref name="streamOrdering"/>:
    /// it is an extremity no more, and those of its prev events the timeline lacks are.
    /// </summary>
    public static async Task RecordAsync(DbConnection c, DbTransaction tx, string roomId, string eventId, IEnumerable<string> prevEvents, long streamOrdering,
        CancellationToken ct)
    {
        await c.RunAsync(Delete, new { RoomId = roomId, EventId = eventId }, ct, tx);
        foreach (var prev in prevEvents)
            await c.RunAsync(InsertMissing, new { RoomId = roomId, EventId = prev, Successor = streamOrdering }, ct, tx);
    }

    /// <summary>The extremities at the start of the room's timeline that are not backing off, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<Extremity>> DueAsync(string roomId, long now, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Extremity>(SelectDue, new { RoomId = roomId, Now = now, Limit = limit }, ct), ct);

    /// <summary>Backs off those of <paramref name="eventIds"/> that are still extremities: a backfill from them brought nothing.</summary>
    public Task BackOffAsync(string roomId, IEnumerable<string> eventIds, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            foreach (var id in eventIds)
            {
                if (await c.FirstOrDefaultAsync<Extremity>(SelectAttempts, new { RoomId = roomId, EventId = id }, ct, tx) is not { } row)
                    continue;
                var wait = TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << (int)Math.Min(row.Attempts, 20)));
                await c.RunAsync(UpdateAttempts, new { RoomId = roomId, EventId = id, Attempts = row.Attempts + 1, Next = now + (long)wait.TotalMilliseconds }, ct, tx);
            }
        }, ct);
}
