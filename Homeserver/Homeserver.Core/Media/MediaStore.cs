using Homeserver.Core.Storage;

namespace Homeserver.Core.Media;

public sealed class MediaStore(Database db)
{
    private const string Insert = """
        INSERT INTO media (media_id, uploader, content_type, upload_name, size_bytes, sha256, created_ts, uploaded_ts, expires_ts)
        VALUES (@MediaId, @Uploader, @ContentType, @UploadName, @SizeBytes, @Sha256, @CreatedTs, @UploadedTs, @ExpiresTs)
        """;
    private const string Complete = """
        UPDATE media SET content_type = @ContentType, upload_name = @UploadName, size_bytes = @SizeBytes, sha256 = @Sha256,
            uploaded_ts = @UploadedTs, expires_ts = NULL
        WHERE media_id = @MediaId AND uploaded_ts IS NULL
        """;
    private const string Select = "SELECT * FROM media WHERE media_id = @MediaId";
    private const string CountPending = "SELECT COUNT(*) FROM media WHERE uploader = @Uploader AND uploaded_ts IS NULL AND expires_ts > @Now";
    private const string SumBytes = "SELECT COALESCE(SUM(size_bytes), 0) FROM media WHERE uploader = @Uploader AND uploaded_ts IS NOT NULL";
    private const string Touch = "UPDATE media SET last_access_ts = @Now WHERE media_id = @MediaId AND (last_access_ts IS NULL OR last_access_ts < @Now - @Coarseness)";
    private const string DeleteMedia = "DELETE FROM media WHERE media_id = @MediaId";
    private const string SelectThumbHashes = "SELECT sha256 FROM media_thumbnails WHERE media_id = @MediaId";
    private const string DeleteThumbs = "DELETE FROM media_thumbnails WHERE media_id = @MediaId";
    /// <summary>The rows of every media table, local and remote, that refer to one piece of content.</summary>
    internal const string CountHashRefs = """
        SELECT (SELECT COUNT(*) FROM media WHERE sha256 = @Sha256) + (SELECT COUNT(*) FROM media_thumbnails WHERE sha256 = @Sha256)
            + (SELECT COUNT(*) FROM remote_media_cache WHERE sha256 = @Sha256) + (SELECT COUNT(*) FROM remote_media_thumbnails WHERE sha256 = @Sha256)
        """;
    private const string SelectContentHashes = """
        SELECT sha256 FROM (SELECT sha256 FROM media WHERE sha256 IS NOT NULL UNION SELECT sha256 FROM media_thumbnails
            UNION SELECT sha256 FROM remote_media_cache UNION SELECT sha256 FROM remote_media_thumbnails) hashes
        WHERE sha256 > @After ORDER BY sha256 LIMIT @Limit
        """;
    private const string SelectThumb = """
        SELECT * FROM media_thumbnails WHERE media_id = @MediaId AND width = @Width AND height = @Height AND method = @Method AND animated = @Animated
        """;
    private const string InsertThumb = """
        INSERT INTO media_thumbnails (media_id, width, height, method, animated, content_type, size_bytes, sha256)
        VALUES (@MediaId, @Width, @Height, @Method, @Animated, @ContentType, @SizeBytes, @Sha256)
        ON CONFLICT (media_id, width, height, method, animated) DO NOTHING
        """;

    public Task InsertAsync(MediaRecord m, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, m, ct, tx), ct);

    /// <summary>
    /// Inserts a pending ID unless the uploader already has <paramref name="maxPending"/> live ones; the count and
    /// the insert share one transaction so parallel <c>/create</c> calls cannot overshoot.
    /// </summary>
    public Task<bool> TryInsertPendingAsync(MediaRecord m, int maxPending, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            if (await c.ScalarAsync<long>(CountPending, new { m.Uploader, Now = now }, ct, tx) >= maxPending)
                return false;
            await c.RunAsync(Insert, m, ct, tx);
            return true;
        }, ct);

    /// <summary>Fills a pending row; false when it was no longer pending (someone uploaded first).</summary>
    public async Task<bool> CompleteAsync(MediaRecord m, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(Complete, m, ct, tx), ct) == 1;

    public Task<MediaRecord?> GetAsync(string mediaId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<MediaRecord>(Select, new { MediaId = mediaId }, ct), ct);

    public Task<long> StoredBytesAsync(string uploader, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(SumBytes, new { Uploader = uploader }, ct), ct);

    /// <summary>Records that media was served, unless it was within <paramref name="coarseness"/> ms already.</summary>
    public Task TouchAsync(string mediaId, long now, long coarseness, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Touch, new { MediaId = mediaId, Now = now, Coarseness = coarseness }, ct, tx), ct);

    /// <summary>Deletes the media and its thumbnails; returns the content hashes nothing references any more.</summary>
    public Task<IReadOnlyList<string>> DeleteAsync(string mediaId, CancellationToken ct) =>
        db.WriteAsync<IReadOnlyList<string>>(async (c, tx) =>
        {
            var media = await c.FirstOrDefaultAsync<MediaRecord>(Select, new { MediaId = mediaId }, ct, tx);
            if (media is null)
                return [];
            var hashes = (await c.ListAsync<string>(SelectThumbHashes, new { MediaId = mediaId }, ct, tx)).ToList();
            if (media.Sha256 is not null)
                hashes.Add(media.Sha256);
            await c.RunAsync(DeleteThumbs, new { MediaId = mediaId }, ct, tx);
            await c.RunAsync(DeleteMedia, new { MediaId = mediaId }, ct, tx);
            var orphans = new List<string>();
            foreach (var h in hashes.Distinct())
                if (await c.ScalarAsync<long>(CountHashRefs, new { Sha256 = h }, ct, tx) == 0)
                    orphans.Add(h);
            return orphans;
        }, ct);

    /// <summary>The content hashes media and thumbnails refer to, in order, one page after <paramref name="after"/>.</summary>
    public Task<IReadOnlyList<string>> ContentHashesAsync(string after, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectContentHashes, new { After = after, Limit = limit }, ct), ct);

    public Task<ThumbnailRecord?> GetThumbnailAsync(string mediaId, int width, int height, string method, bool animated, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<ThumbnailRecord>(SelectThumb, new { MediaId = mediaId, Width = width, Height = height, Method = method, Animated = animated }, ct), ct);

    public Task InsertThumbnailAsync(ThumbnailRecord t, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(InsertThumb, t, ct, tx), ct);
}
