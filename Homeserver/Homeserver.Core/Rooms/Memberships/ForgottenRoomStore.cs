using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// Rooms a user has forgotten (<c>POST /rooms/{roomId}/forget</c>). A row names the leave or ban event that
/// was forgotten, and counts only while that event is still the user's membership: a later invite or join
/// replaces it, so the room comes back without anyone having to clear the row.
/// </summary>
public sealed class ForgottenRoomStore(Database db)
{
    // One statement, so the membership that is checked is the one recorded even if it changes meanwhile.
    private const string ForgetCurrentMembership = """
        INSERT INTO room_forgotten (user_id, room_id, event_id, forgotten_ts)
        SELECT user_id, room_id, event_id, @Ts FROM room_memberships
        WHERE room_id = @RoomId AND user_id = @UserId AND membership IN ('leave', 'ban')
        ON CONFLICT (user_id, room_id) DO UPDATE SET event_id = excluded.event_id, forgotten_ts = excluded.forgotten_ts
        """;
    private const string SelectForgotten = """
        SELECT COUNT(*) FROM room_forgotten f
        JOIN room_memberships m ON m.room_id = f.room_id AND m.user_id = f.user_id AND m.event_id = f.event_id
        WHERE f.user_id = @UserId AND f.room_id = @RoomId
        """;

    /// <summary>Forgets the room if the user's membership is leave or ban; returns false (and writes nothing) otherwise.</summary>
    public async Task<bool> ForgetAsync(string userId, string roomId, long ts, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(ForgetCurrentMembership, new { UserId = userId, RoomId = roomId, Ts = ts }, ct, tx), ct) > 0;

    /// <summary>Whether the user has forgotten the room since their last membership change (for sync to leave it out).</summary>
    public async Task<bool> IsForgottenAsync(string userId, string roomId, CancellationToken ct) =>
        await db.ReadAsync(c => c.ScalarAsync<long>(SelectForgotten, new { UserId = userId, RoomId = roomId }, ct), ct) > 0;
}
