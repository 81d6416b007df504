using Homeserver.Core.Storage;

namespace Homeserver.Core.Media;

/// <summary>The reads and marks of local media that the admin API and the media clean-up need.</summary>
public sealed class MediaAdminStore(Database db)
{
    private const string Uploaded = "uploaded_ts IS NOT NULL";
    private const string CountOfUser = $"SELECT COUNT(*) FROM media WHERE uploader = @Uploader AND {Uploaded}";
    private const string IdsOfUser = $"SELECT media_id FROM media WHERE uploader = @Uploader AND {Uploaded}";
    // Never accessed counts from its upload, as Synapse counts it.
    private const string Old = $"""
        SELECT media_id FROM media m WHERE {Uploaded} AND COALESCE(m.last_access_ts, m.uploaded_ts) < @BeforeTs AND m.size_bytes > @SizeGt
          AND m.quarantined_by IS NULL AND m.safe_from_quarantine = FALSE
        """;
    // Avatars in use: users' profiles, rooms' avatars (events.media_url is content.url) and the per-room avatars of
    // current members (an underscore in a media ID matches any character here, which can only keep more media).
    private const string NotAnAvatar = """
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_url = @MxcPrefix || m.media_id)
         AND NOT EXISTS (SELECT 1 FROM current_state cs JOIN events e ON e.event_id = cs.event_id
                         WHERE cs.event_type = 'm.room.avatar' AND e.media_url = @MxcPrefix || m.media_id)
         AND NOT EXISTS (SELECT 1 FROM current_state cs JOIN events e ON e.event_id = cs.event_id
                         WHERE cs.event_type = 'm.room.member' AND e.json LIKE '%' || @MxcPrefix || m.media_id || '%')
        """;
    private const string Quarantine = "UPDATE media SET quarantined_by = @By WHERE media_id = @MediaId AND safe_from_quarantine = FALSE";
    private const string Unquarantine = "UPDATE media SET quarantined_by = NULL WHERE media_id = @MediaId";
    private const string QuarantineOfUser = $"UPDATE media SET quarantined_by = @By WHERE uploader = @Uploader AND {Uploaded} AND safe_from_quarantine = FALSE";
    private const string Protect = "UPDATE media SET safe_from_quarantine = @Safe WHERE media_id = @MediaId";
    private const string RoomMediaUrls = "SELECT DISTINCT media_url FROM events WHERE room_id = @RoomId AND media_url LIKE 'mxc://%' ORDER BY media_url";

    public Task<long> CountOfUserAsync(string uploader, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(CountOfUser, new { Uploader = uploader }, ct), ct);

    public Task<IReadOnlyList<MediaRecord>> PageOfUserAsync(string uploader, MediaListOrder order, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<MediaRecord>($"SELECT * FROM media WHERE uploader = @Uploader AND {Uploaded} {order.Sql("media_id")}",
            new { Uploader = uploader, order.Limit, order.From }, ct), ct);

    public Task<IReadOnlyList<string>> IdsOfUserAsync(string uploader, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(IdsOfUser, new { Uploader = uploader }, ct), ct);

    /// <summary>
    /// Local media last served (or, never served, uploaded) before <paramref name="beforeTs"/> and larger than
    /// <paramref name="sizeGt"/> bytes, neither quarantined nor protected; with <paramref name="keepProfiles"/>, not
    /// an avatar in use.
    /// </summary>
    public Task<IReadOnlyList<string>> OldAsync(long beforeTs, long sizeGt, bool keepProfiles, string mxcPrefix, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(Old + (keepProfiles ? NotAnAvatar : ""),
            new { BeforeTs = beforeTs, SizeGt = sizeGt, MxcPrefix = mxcPrefix }, ct), ct);

    /// <summary>Quarantines one piece of media unless it is protected; whether it was.</summary>
    public async Task<bool> QuarantineAsync(string mediaId, string by, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(Quarantine, new { MediaId = mediaId, By = by }, ct, tx), ct) > 0;

    public Task UnquarantineAsync(string mediaId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Unquarantine, new { MediaId = mediaId }, ct, tx), ct);

    public Task<int> QuarantineOfUserAsync(string uploader, string by, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(QuarantineOfUser, new { Uploader = uploader, By = by }, ct, tx), ct);

    /// <summary>Marks media protected from quarantine or not; false when there is no such media.</summary>
    public async Task<bool> ProtectAsync(string mediaId, bool safe, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(Protect, new { MediaId = mediaId, Safe = safe }, ct, tx), ct) > 0;

    /// <summary>The <c>mxc://</c> URIs the room's events carry as their content's <c>url</c>.</summary>
    public Task<IReadOnlyList<string>> UrlsOfRoomAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(RoomMediaUrls, new { RoomId = roomId }, ct), ct);

    /// <summary>Each local user's uploaded media: count and bytes, in one page, with the number of users matching.</summary>
    public async Task<(IReadOnlyList<UserMediaStatistics> Users, long Total)> StatisticsAsync(long? fromTs, long? untilTs, string? searchTerm,
        MediaListOrder order, CancellationToken ct)
    {
        var where = $"m.{Uploaded}"
            + (fromTs is null ? "" : " AND m.created_ts >= @FromTs")
            + (untilTs is null ? "" : " AND m.created_ts <= @UntilTs")
            + (searchTerm is null ? "" : $" AND (u.localpart {db.Dialect.CaseInsensitiveLike} @Term ESCAPE '\\' OR u.displayname {db.Dialect.CaseInsensitiveLike} @Term ESCAPE '\\')");
        var grouped = $"""
            SELECT m.uploader AS user_id, u.displayname, COUNT(*) AS media_count, CAST(COALESCE(SUM(m.size_bytes), 0) AS BIGINT) AS media_length
            FROM media m JOIN users u ON u.user_id = m.uploader WHERE {where} GROUP BY m.uploader, u.displayname
            """;
        var args = new { FromTs = fromTs, UntilTs = untilTs, Term = searchTerm is null ? null : LikePattern.Contains(searchTerm), order.Limit, order.From };
        return await db.ReadAsync(async c => (
            await c.ListAsync<UserMediaStatistics>($"SELECT * FROM ({grouped}) g {order.Sql("user_id")}", args, ct),
            await c.ScalarAsync<long>($"SELECT COUNT(*) FROM ({grouped}) g", args, ct)), ct);
    }
}
