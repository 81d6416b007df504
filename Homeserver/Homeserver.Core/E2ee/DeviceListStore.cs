using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>
/// The <c>device_lists</c> stream: a row whenever a user's device or cross-signing keys change, and the room
/// memberships that decide who hears about it.
/// </summary>
public sealed class DeviceListStore(Database db)
{

    private const string InsertChange = "INSERT INTO device_list_changes (stream_id, user_id) VALUES (@StreamId, @UserId)";
    private const string SelectPreviousChange = "SELECT MAX(stream_id) FROM device_list_changes WHERE user_id = @UserId AND stream_id < @Before";
    private const string SelectLatestChange = "SELECT COALESCE(MAX(stream_id), 0) FROM device_list_changes WHERE user_id = @UserId";
    private const string SelectChanged = """
        SELECT DISTINCT user_id FROM device_list_changes WHERE stream_id > @After AND stream_id <= @Upto
        """;
    // Both sides joined and one of the two joins is newer than the token: the pair may not have shared a room before.
    private const string SelectNewlySharing = """
        SELECT DISTINCT theirs.user_id FROM room_memberships mine
        JOIN room_memberships theirs ON theirs.room_id = mine.room_id
        WHERE mine.user_id = @UserId AND mine.membership = 'join' AND theirs.membership = 'join' AND theirs.user_id <> @UserId
          AND (mine.stream_ordering > @After OR theirs.stream_ordering > @After)
          AND mine.stream_ordering <= @Upto AND theirs.stream_ordering <= @Upto
        """;
    // Whoever left a room the user is in, or stays in a room the user left, since the token.
    private const string SelectParted = """
        SELECT DISTINCT theirs.user_id FROM room_memberships mine
        JOIN room_memberships theirs ON theirs.room_id = mine.room_id
        WHERE mine.user_id = @UserId AND theirs.user_id <> @UserId AND (
            (mine.membership = 'join' AND theirs.membership IN ('leave', 'ban') AND theirs.stream_ordering > @After AND theirs.stream_ordering <= @Upto)
            OR (mine.membership IN ('leave', 'ban') AND mine.stream_ordering > @After AND mine.stream_ordering <= @Upto AND theirs.membership = 'join'))
        """;

    /// <summary>
    /// Records that <paramref name="userId"/>'s keys changed, inside the changing transaction; once it commits, the
    /// user and everyone sharing a room with them hear of it.
    /// </summary>
    /// <returns>The change's position, which federation's <c>m.device_list_update</c> calls its <c>stream_id</c>.</returns>
    public static async Task<long> RecordChangeAsync(StreamTransaction st, string userId, CancellationToken ct)
    {
        var streamId = await st.NextAsync(StreamNames.DeviceLists, ct);
        await st.Connection.RunAsync(InsertChange, new { StreamId = streamId, UserId = userId }, ct, st.Transaction);
        st.PublishAfterCommit(new StreamUpdate(StreamNames.DeviceLists, streamId, [userId]) { PeersOf = userId });
        return streamId;
    }

    /// <summary>The position of the user's change before <paramref name="before"/>, if any: the <c>prev_id</c> of the update at it.</summary>
    public static Task<long?> PreviousChangeAsync(StreamTransaction st, string userId, long before, CancellationToken ct) =>
        st.Connection.FirstOrDefaultAsync<long?>(SelectPreviousChange, new { UserId = userId, Before = before }, ct, st.Transaction);


    /// <summary>The position of the user's latest change, 0 when none: the <c>stream_id</c> a full device list is at.</summary>
    public Task<long> LatestChangeAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(SelectLatestChange, new { UserId = userId }, ct), ct);

    public async Task<HashSet<string>> ChangedAsync(long after, long upto, CancellationToken ct) =>
        (await db.ReadAsync(c => c.ListAsync<string>(SelectChanged, new { After = after, Upto = upto }, ct), ct)).ToHashSet(StringComparer.Ordinal);

    public Task<IReadOnlyList<string>> NewlySharingAsync(string userId, long afterEvents, long uptoEvents, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectNewlySharing, new { UserId = userId, After = afterEvents, Upto = uptoEvents }, ct), ct);

    public Task<IReadOnlyList<string>> PartedAsync(string userId, long afterEvents, long uptoEvents, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectParted, new { UserId = userId, After = afterEvents, Upto = uptoEvents }, ct), ct);
}
