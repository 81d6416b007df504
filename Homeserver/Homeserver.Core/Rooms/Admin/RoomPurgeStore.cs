using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// Removes a room from the database: its events (timeline, outliers, set aside), state, memberships, aliases, receipts,
/// notifications, room account data and queued federation, in one transaction. Event reports stay for the moderators,
/// without the event.
/// </summary>
public sealed class RoomPurgeStore(Database db)
{
    private const string RoomEvents = "SELECT event_id FROM events WHERE room_id = @RoomId";

    private static readonly string[] Statements =
    [
        $"DELETE FROM event_edges WHERE event_id IN ({RoomEvents})",
        $"DELETE FROM event_relations WHERE event_id IN ({RoomEvents})",
        $"DELETE FROM client_txns WHERE event_id IN ({RoomEvents})",
        "DELETE FROM state_group_entries WHERE state_group IN (SELECT state_group FROM state_groups WHERE room_id = @RoomId)",
        "DELETE FROM state_groups WHERE room_id = @RoomId",
        "DELETE FROM room_forward_extremities WHERE room_id = @RoomId",
        "DELETE FROM current_state WHERE room_id = @RoomId",
        "DELETE FROM room_memberships WHERE room_id = @RoomId",
        "DELETE FROM room_aliases WHERE room_id = @RoomId",
        "DELETE FROM room_forgotten WHERE room_id = @RoomId",
        "DELETE FROM receipts WHERE room_id = @RoomId",
        "DELETE FROM event_push_actions WHERE room_id = @RoomId",
        "DELETE FROM account_data WHERE room_id = @RoomId",
        "DELETE FROM soft_failed_events WHERE room_id = @RoomId",
        "DELETE FROM rejected_events WHERE room_id = @RoomId",
        "DELETE FROM outlier_events WHERE room_id = @RoomId",
        "DELETE FROM remote_memberships WHERE room_id = @RoomId",
        "DELETE FROM awaited_redactions WHERE room_id = @RoomId",
        "DELETE FROM federation_outbox_pdus WHERE room_id = @RoomId",
        "DELETE FROM appservice_room_list WHERE room_id = @RoomId",
        "DELETE FROM events WHERE room_id = @RoomId",
        "DELETE FROM rooms WHERE room_id = @RoomId",
    ];

    public Task PurgeAsync(string roomId, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            foreach (var sql in Statements)
                await c.RunAsync(sql, new { RoomId = roomId }, ct, tx);
        }, ct);
}
