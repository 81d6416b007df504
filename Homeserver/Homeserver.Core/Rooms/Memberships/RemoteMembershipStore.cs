using System.Data.Common;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// Our users' memberships in rooms we are not in: an invite another server sent or a knock (with the stripped state
/// to show with it), and the leave that ends either. The event is kept as an outlier and the membership index gets a position
/// on the events stream, so /sync finds the change as it finds any membership of the user.
/// </summary>
public sealed class RemoteMembershipStore(Database db, StreamPublisher streams, TimeProvider time)
{
    private const string SelectRoom = "SELECT room_id FROM rooms WHERE room_id = @RoomId";
    private const string Upsert = """
        INSERT INTO remote_memberships (room_id, user_id, event_id, stripped_state) VALUES (@RoomId, @UserId, @EventId, @State)
        ON CONFLICT (room_id, user_id) DO UPDATE SET event_id = excluded.event_id, stripped_state = excluded.stripped_state
        """;
    // Only while that event is the user's membership: a later invite through a room we hold shows that room's own state.
    private const string SelectState = """
        SELECT r.stripped_state FROM remote_memberships r
        JOIN room_memberships m ON m.room_id = r.room_id AND m.user_id = r.user_id AND m.event_id = r.event_id
        WHERE r.room_id = @RoomId AND r.user_id = @UserId
        """;

    /// <summary>Stores an invite or a knock (with its stripped state) or a leave, for the user its state key names.</summary>
    /// <param name="creator">Who created the room, for a room not held here before.</param>
    public Task RecordAsync(Pdu membershipEvent, string membership, string? strippedStateJson, string creator, CancellationToken ct) =>
        streams.WriteAsync(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            var roomId = membershipEvent.RoomId.ToString();
            var userId = membershipEvent.StateKey!;
            var eventId = membershipEvent.EventId.ToString();
            await EnsureRoomAsync(c, tx, roomId, membershipEvent.RoomVersion, creator, membershipEvent.OriginServerTs, ct);
            await OutlierStore.InsertAsync(c, tx, membershipEvent, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            var position = await st.NextAsync(StreamNames.Events, ct);
            await CurrentStateStore.SetMembershipAsync(c, tx, roomId, userId, membership, eventId, position, ct);
            if (strippedStateJson is not null)
                await c.RunAsync(Upsert, new { RoomId = roomId, UserId = userId, EventId = eventId, State = strippedStateJson }, ct, tx);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.Events, position, [userId]) { RoomId = roomId });
        }, ct);

    /// <summary>The stripped state that came with an invite or knock (a JSON array), while it is the user's membership; null otherwise.</summary>
    public Task<string?> StrippedStateAsync(string roomId, string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectState, new { RoomId = roomId, UserId = userId }, ct), ct);

    private static async Task EnsureRoomAsync(DbConnection c, DbTransaction tx, string roomId, RoomVersion version, string creator, long ts, CancellationToken ct)
    {
        if (await c.FirstOrDefaultAsync<string>(SelectRoom, new { RoomId = roomId }, ct, tx) is null)
            await RoomStore.InsertAsync(c, tx, new RoomRecord { RoomId = roomId, RoomVersion = version.Id, Creator = creator, CreatedTs = ts }, ct);
    }
}
