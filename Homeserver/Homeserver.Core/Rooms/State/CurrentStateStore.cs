using System.Data.Common;
using Homeserver.Core.Storage;

using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// The room's state now, and the membership index derived from it, kept in step with each persisted
/// state event so "which rooms is this user in" and "who is in this room" are single index reads.
/// </summary>
public sealed class CurrentStateStore(Database db)
{
    private const string UpsertState = """
        INSERT INTO current_state (room_id, event_type, state_key, event_id) VALUES (@RoomId, @Type, @Key, @EventId)
        ON CONFLICT (room_id, event_type, state_key) DO UPDATE SET event_id = excluded.event_id
        """;
    private const string UpsertMembership = """
        INSERT INTO room_memberships (room_id, user_id, membership, event_id, stream_ordering) VALUES (@RoomId, @UserId, @Membership, @EventId, @StreamOrdering)
        ON CONFLICT (room_id, user_id) DO UPDATE SET membership = excluded.membership, event_id = excluded.event_id, stream_ordering = excluded.stream_ordering
        """;
    private const string DeleteState = "DELETE FROM current_state WHERE room_id = @RoomId AND event_type = @Type AND state_key = @Key";
    private const string DeleteMembership = "DELETE FROM room_memberships WHERE room_id = @RoomId AND user_id = @UserId";
    private const string SelectState = "SELECT event_type AS Type, state_key AS Key, event_id AS EventId FROM current_state WHERE room_id = @RoomId";
    private const string SelectRoomsOfUser = "SELECT room_id FROM room_memberships WHERE user_id = @UserId AND membership = @Membership ORDER BY stream_ordering";
    private const string SelectMembership = "SELECT membership FROM room_memberships WHERE room_id = @RoomId AND user_id = @UserId";
    private const string SelectMembers = "SELECT user_id AS UserId, membership AS Membership, event_id AS EventId FROM room_memberships WHERE room_id = @RoomId ORDER BY user_id";

    public sealed record Member(string UserId, string Membership, string EventId);

    public sealed class UserMembership
    {
        public string RoomId { get; set; } = "";
        public string Membership { get; set; } = "";
        public string EventId { get; set; } = "";
        public long StreamOrdering { get; set; }
    }

    private const string SelectUsersSharingRoom = """
        SELECT DISTINCT other.user_id FROM room_memberships mine
        JOIN room_memberships other ON other.room_id = mine.room_id AND other.membership = 'join'
        WHERE mine.user_id = @UserId AND mine.membership = 'join'
        """;
    private const string SelectSharesRoom = """
        SELECT COUNT(*) FROM room_memberships a JOIN room_memberships b ON b.room_id = a.room_id
        WHERE a.user_id = @A AND a.membership = 'join' AND b.user_id = @B AND b.membership = 'join'
        """;
    private const string SelectMembershipsOfUser = "SELECT room_id, membership, event_id, stream_ordering FROM room_memberships WHERE user_id = @UserId";

    private sealed record Row(string Type, string Key, string EventId);

    public static Task SetStateAsync(DbConnection c, DbTransaction tx, string roomId, StateEventKey key, string eventId, CancellationToken ct) =>
        c.RunAsync(UpsertState, new { RoomId = roomId, key.Type, Key = key.StateKey, EventId = eventId }, ct, tx);

    /// <summary>
    /// Removes a key from the current state, and a member key's row from the membership index: state resolution
    /// can leave out a key one branch had set (a join the merged join rules no longer allow).
    /// </summary>
    public static async Task RemoveStateAsync(DbConnection c, DbTransaction tx, string roomId, StateEventKey key, CancellationToken ct)
    {
        await c.RunAsync(DeleteState, new { RoomId = roomId, key.Type, Key = key.StateKey }, ct, tx);
        if (key.Type == Events.EventTypes.Member)
            await c.RunAsync(DeleteMembership, new { RoomId = roomId, UserId = key.StateKey }, ct, tx);
    }

    public static Task SetMembershipAsync(DbConnection c, DbTransaction tx, string roomId, string userId, string membership, string eventId, long streamOrdering, CancellationToken ct) =>
        c.RunAsync(UpsertMembership, new { RoomId = roomId, UserId = userId, Membership = membership, EventId = eventId, StreamOrdering = streamOrdering }, ct, tx);

    /// <summary>
    /// The servers of the room's joined members, as the transaction <paramref name="tx"/> sees the membership index;
    /// the server is what follows the user ID's first colon, cut out by the database so a big room costs one row per server.
    /// </summary>
    public static Task<IReadOnlyList<string>> JoinedServersAsync(DbConnection c, DbTransaction? tx, string roomId, CancellationToken ct)
    {
        var colon = SqlDialect.Of(c).Engine == DatabaseEngine.Postgres ? "strpos(user_id, ':')" : "instr(user_id, ':')";
        return c.ListAsync<string>($"SELECT DISTINCT substr(user_id, {colon} + 1) FROM room_memberships WHERE room_id = @RoomId AND membership = 'join'",
            new { RoomId = roomId }, ct, tx);
    }

    /// <summary>The servers of the room's joined members now.</summary>
    public Task<IReadOnlyList<string>> JoinedServersAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => JoinedServersAsync(c, null, roomId, ct), ct);

    public async Task<Dictionary<StateEventKey, string>> GetStateAsync(string roomId, CancellationToken ct) =>
        (await db.ReadAsync(c => c.ListAsync<Row>(SelectState, new { RoomId = roomId }, ct), ct))
            .ToDictionary(r => new StateEventKey(r.Type, r.Key), r => r.EventId);

    public Task<IReadOnlyList<string>> RoomsOfUserAsync(string userId, string membership, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectRoomsOfUser, new { UserId = userId, Membership = membership }, ct), ct);

    /// <summary>Every room the user has a membership in, with the position of their latest membership event.</summary>
    public Task<IReadOnlyList<UserMembership>> MembershipsOfUserAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<UserMembership>(SelectMembershipsOfUser, new { UserId = userId }, ct), ct);

    public Task<string?> MembershipAsync(string roomId, string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectMembership, new { RoomId = roomId, UserId = userId }, ct), ct);

    /// <summary>Everyone joined to a room the user is joined to, the user included when joined anywhere.</summary>
    public Task<IReadOnlyList<string>> UsersSharingRoomWithAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => UsersSharingRoomWithAsync(c, null, userId, ct), ct);

    /// <summary><see cref="UsersSharingRoomWithAsync(string, CancellationToken)"/> as the transaction <paramref name="tx"/> sees it.</summary>
    public static Task<IReadOnlyList<string>> UsersSharingRoomWithAsync(DbConnection c, DbTransaction? tx, string userId, CancellationToken ct) =>
        c.ListAsync<string>(SelectUsersSharingRoom, new { UserId = userId }, ct, tx);

    public async Task<bool> ShareARoomAsync(string a, string b, CancellationToken ct) =>
        await db.ReadAsync(c => c.ScalarAsync<long>(SelectSharesRoom, new { A = a, B = b }, ct), ct) > 0;

    private sealed record RoomMember(string RoomId, string UserId, string Membership, string EventId);

    /// <summary><see cref="MembersAsync"/> of many rooms in one query; rooms nobody has a membership in are absent.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Member>>> MembersOfRoomsAsync(IReadOnlyCollection<string> roomIds, CancellationToken ct)
    {
        if (roomIds.Count == 0)
            return new Dictionary<string, IReadOnlyList<Member>>();
        var sql = "SELECT room_id AS RoomId, user_id AS UserId, membership AS Membership, event_id AS EventId FROM room_memberships WHERE "
            + db.Dialect.InLongList("room_id", "RoomIds") + " ORDER BY room_id, user_id";
        var rows = await db.ReadAsync(c => c.ListAsync<RoomMember>(sql, new { RoomIds = db.Dialect.ListParameter(roomIds) }, ct), ct);
        return rows.GroupBy(r => r.RoomId).ToDictionary(g => g.Key, g => (IReadOnlyList<Member>)g.Select(r => new Member(r.UserId, r.Membership, r.EventId)).ToList());
    }

    public sealed record RoomStateEntry(string RoomId, string Type, string Key, string EventId);

    /// <summary>The current state of <paramref name="types"/> (every key) in many rooms, in one query.</summary>
    public Task<IReadOnlyList<RoomStateEntry>> StateOfRoomsAsync(IReadOnlyCollection<string> roomIds, IReadOnlyCollection<string> types, CancellationToken ct)
    {
        if (roomIds.Count == 0 || types.Count == 0)
            return Task.FromResult<IReadOnlyList<RoomStateEntry>>([]);
        var sql = "SELECT room_id AS RoomId, event_type AS Type, state_key AS Key, event_id AS EventId FROM current_state WHERE "
            + db.Dialect.InLongList("room_id", "RoomIds") + " AND " + db.Dialect.InLongList("event_type", "Types");
        return db.ReadAsync(c => c.ListAsync<RoomStateEntry>(sql, new { RoomIds = db.Dialect.ListParameter(roomIds), Types = db.Dialect.ListParameter(types) }, ct), ct);
    }

    public Task<IReadOnlyList<Member>> MembersAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Member>(SelectMembers, new { RoomId = roomId }, ct), ct);
}
