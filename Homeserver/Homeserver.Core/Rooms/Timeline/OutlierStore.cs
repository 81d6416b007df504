using System.Data.Common;
using Homeserver.Core.Events;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// Events held without a place in a room's timeline: the state and auth chain a resident server hands over when we
/// join its room, an invite to a room we are not in. They are checked before they are stored, like any event, but
/// nothing builds on them or shows them in a timeline; lookups by ID find them (<see cref="EventStore.GetIncludingOutliersAsync"/>).
/// </summary>
public static class OutlierStore
{
    private const string Insert = """
        INSERT INTO outlier_events (event_id, room_id, event_type, state_key, sender, depth, origin_server_ts, json, received_ts)
        VALUES (@EventId, @RoomId, @EventType, @StateKey, @Sender, @Depth, @OriginServerTs, @Json, @ReceivedTs)
        ON CONFLICT (event_id) DO NOTHING
        """;

    public static Task InsertAsync(DbConnection c, DbTransaction tx, Pdu pdu, long receivedTs, CancellationToken ct) =>
        InsertManyAsync(c, tx, [pdu], receivedTs, ct);

    /// <summary>Stores the events; a redaction that was waiting for one of them is told it arrived, once for them all.</summary>
    public static async Task InsertManyAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<Pdu> pdus, long receivedTs, CancellationToken ct)
    {
        foreach (var pdu in pdus)
            await c.RunAsync(Insert, new
            {
                EventId = pdu.EventId.ToString(), RoomId = pdu.RoomId.ToString(), EventType = pdu.Type, pdu.StateKey,
                Sender = pdu.Sender.ToString(), pdu.Depth, pdu.OriginServerTs, Json = pdu.Json.ToJsonString(), ReceivedTs = receivedTs,
            }, ct, tx);
        if (pdus.Count > 0)
            await AwaitedRedactionStore.ArrivedAsync(c, tx, pdus, ct);
    }
}
