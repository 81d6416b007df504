using Homeserver.Core.Storage;

namespace Homeserver.Core.Media.Remote;

/// <summary>
/// <c>remote_media_cache</c> and <c>remote_media_thumbnails</c>. A media ID's last access is the latest of its original's
/// and its thumbnails', so an avatar only ever shown as a thumbnail stays as long as it is shown.
/// </summary>
public sealed class RemoteMediaStore(Database db)
{
    private const string Select = "SELECT * FROM remote_media_cache WHERE origin = @Origin AND media_id = @MediaId";
    private const string Insert = """
        INSERT INTO remote_media_cache (origin, media_id, content_type, upload_name, size_bytes, sha256, created_ts, last_access_ts)
        VALUES (@Origin, @MediaId, @ContentType, @UploadName, @SizeBytes, @Sha256, @CreatedTs, @LastAccessTs)
        ON CONFLICT (origin, media_id) DO NOTHING
        """;
    private const string Touch = "UPDATE remote_media_cache SET last_access_ts = @Now WHERE origin = @Origin AND media_id = @MediaId";
    private const string SelectThumb = """
        SELECT media_id, width, height, method, animated, content_type, size_bytes, sha256 FROM remote_media_thumbnails
        WHERE origin = @Origin AND media_id = @MediaId AND width = @Width AND height = @Height AND method = @Method AND animated = @Animated
        """;
    private const string InsertThumb = """
        INSERT INTO remote_media_thumbnails (origin, media_id, width, height, method, animated, content_type, size_bytes, sha256, created_ts, last_access_ts)
        VALUES (@Origin, @MediaId, @Width, @Height, @Method, @Animated, @ContentType, @SizeBytes, @Sha256, @Now, @Now)
        ON CONFLICT (origin, media_id, width, height, method, animated) DO NOTHING
        """;
    private const string TouchThumb = """
        UPDATE remote_media_thumbnails SET last_access_ts = @Now
        WHERE origin = @Origin AND media_id = @MediaId AND width = @Width AND height = @Height AND method = @Method AND animated = @Animated
        """;
    private const string TotalBytes = """
        SELECT (SELECT COALESCE(SUM(size_bytes), 0) FROM remote_media_cache) + (SELECT COALESCE(SUM(size_bytes), 0) FROM remote_media_thumbnails)
        """;
    private const string LeastRecentlyUsed = """
        SELECT origin AS Origin, media_id AS MediaId FROM (
            SELECT origin, media_id, last_access_ts FROM remote_media_cache
            UNION ALL SELECT origin, media_id, last_access_ts FROM remote_media_thumbnails) entries
        GROUP BY origin, media_id HAVING MAX(last_access_ts) < @Before
        ORDER BY MAX(last_access_ts), origin, media_id LIMIT @Limit
        """;
    private const string SelectHashes = """
        SELECT sha256 FROM remote_media_cache WHERE origin = @Origin AND media_id = @MediaId
        UNION SELECT sha256 FROM remote_media_thumbnails WHERE origin = @Origin AND media_id = @MediaId
        """;
    private const string DeleteEntry = "DELETE FROM remote_media_cache WHERE origin = @Origin AND media_id = @MediaId";
    private const string DeleteThumbs = "DELETE FROM remote_media_thumbnails WHERE origin = @Origin AND media_id = @MediaId";

    public Task<RemoteMediaEntry?> GetAsync(string origin, string mediaId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<RemoteMediaEntry>(Select, new { Origin = origin, MediaId = mediaId }, ct), ct);

    public Task InsertAsync(RemoteMediaEntry entry, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, entry, ct, tx), ct);

    public Task TouchAsync(string origin, string mediaId, long now, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Touch, new { Origin = origin, MediaId = mediaId, Now = now }, ct, tx), ct);

    public Task<ThumbnailRecord?> GetThumbnailAsync(string origin, string mediaId, ThumbnailSizeRequest size, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<ThumbnailRecord>(SelectThumb, ThumbParams(origin, mediaId, size, 0), ct), ct);

    public Task InsertThumbnailAsync(string origin, ThumbnailRecord thumb, long now, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(InsertThumb, new
        {
            Origin = origin, thumb.MediaId, thumb.Width, thumb.Height, thumb.Method, thumb.Animated, thumb.ContentType, thumb.SizeBytes,
            thumb.Sha256, Now = now,
        }, ct, tx), ct);

    public Task TouchThumbnailAsync(string origin, string mediaId, ThumbnailSizeRequest size, long now, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(TouchThumb, ThumbParams(origin, mediaId, size, now), ct, tx), ct);

    /// <summary>The bytes the cache holds, originals and thumbnails.</summary>
    public Task<long> TotalBytesAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(TotalBytes, null, ct), ct);

    /// <summary>Up to <paramref name="limit"/> media IDs last accessed before <paramref name="before"/>, least recently accessed first.</summary>
    public Task<IReadOnlyList<RemoteMediaKey>> LeastRecentlyUsedAsync(long before, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<RemoteMediaKey>(LeastRecentlyUsed, new { Before = before, Limit = limit }, ct), ct);

    /// <summary>Deletes a media ID's original and thumbnails; returns the content hashes no row of any media table refers to any more.</summary>
    public Task<IReadOnlyList<string>> DeleteAsync(RemoteMediaKey key, CancellationToken ct) =>
        db.WriteAsync<IReadOnlyList<string>>(async (c, tx) =>
        {
            var hashes = await c.ListAsync<string>(SelectHashes, key, ct, tx);
            await c.RunAsync(DeleteThumbs, key, ct, tx);
            await c.RunAsync(DeleteEntry, key, ct, tx);
            var orphans = new List<string>();
            foreach (var h in hashes)
                if (await c.ScalarAsync<long>(MediaStore.CountHashRefs, new { Sha256 = h }, ct, tx) == 0)
                    orphans.Add(h);
            return orphans;
        }, ct);

    private static object ThumbParams(string origin, string mediaId, ThumbnailSizeRequest size, long now) => new
    {
        Origin = origin, MediaId = mediaId, size.Width, size.Height, size.Method, size.Animated, Now = now,
    };
}
