using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Observability;

namespace Homeserver.Core.Media;

/// <summary>
/// Uploads, downloads, thumbnails' cache and deletion of local media. Uploads stream to a temp file while
/// being hashed and counted; only a complete, accepted upload becomes a stored file and a metadata row, so a
/// refused or interrupted one leaves nothing behind.
/// </summary>
public sealed class MediaService(MediaStore store, IMediaContentStore content, ServerIdentity server, MediaOptions options, TimeProvider time)
{
    private static readonly TimeSpan PendingPoll = TimeSpan.FromMilliseconds(200);
    // How stale a last access time may be before a download records it again: deleting media by age needs no finer
    // clock, and popular media costs no write per download.
    private static readonly long AccessCoarseness = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    // Serialises "store file + insert row" against "delete row + delete orphaned file" within this process,
    // so a deletion never removes a file that a concurrent identical upload has just started to reference.
    private readonly SemaphoreSlim _contentLock = new(1, 1);

    public async Task<string> UploadAsync(UserId uploader, MediaUpload upload, CancellationToken ct)
    {
        var mediaId = MediaIds.New();
        await StoreContentAsync(uploader.ToString(), upload, (sha, length, c) => store.InsertAsync(new MediaRecord
        {
            MediaId = mediaId, Uploader = uploader.ToString(), ContentType = NormaliseType(upload.ContentType), UploadName = upload.FileName,
            SizeBytes = length, Sha256 = sha, CreatedTs = Now(), UploadedTs = Now(),
        }, c), ct);
        return MediaIds.MxcUri(server.ServerName, mediaId);
    }

    /// <summary>
    /// Stores content the server fetched on <paramref name="requester"/>'s behalf (a URL preview's image) as local
    /// media recorded as theirs, as Synapse records it; the fetch's own size cap bounds it, not the upload quota.
    /// </summary>
    public async Task<string> StoreFetchedAsync(UserId requester, byte[] bytes, string contentType, string? fileName, CancellationToken ct)
    {
        var mediaId = MediaIds.New();
        await StoreBytesAsync(bytes, (sha, c) => store.InsertAsync(new MediaRecord
        {
            MediaId = mediaId, Uploader = requester.ToString(), ContentType = NormaliseType(contentType), UploadName = fileName,
            SizeBytes = bytes.Length, Sha256 = sha, CreatedTs = Now(), UploadedTs = Now(),
        }, c), ct);
        return MediaIds.MxcUri(server.ServerName, mediaId);
    }

    /// <summary><c>POST /_matrix/media/v1/create</c>: reserves an ID whose content comes later.</summary>
    public async Task<(string MxcUri, long ExpiresTs)> CreatePendingAsync(UserId uploader, CancellationToken ct)
    {
        var now = Now();
        var record = new MediaRecord
        {
            MediaId = MediaIds.New(), Uploader = uploader.ToString(), CreatedTs = now,
            ExpiresTs = now + (long)options.UnusedExpiration.Value.TotalMilliseconds,
        };
        if (!await store.TryInsertPendingAsync(record, options.MaxPendingUploads, now, ct))
            throw new RateLimitedException(60_000, "media.max_pending_uploads");
        return (MediaIds.MxcUri(server.ServerName, record.MediaId), record.ExpiresTs!.Value);
    }

    /// <summary><c>PUT /_matrix/media/v3/upload/{serverName}/{mediaId}</c>: supplies the content of a created ID, once.</summary>
    public async Task UploadToPendingAsync(UserId uploader, string serverName, string mediaId, MediaUpload upload, CancellationToken ct)
    {
        MediaIds.EnsureValid(serverName, mediaId);
        var record = await store.GetAsync(mediaId, ct);
        if (serverName != server.ServerName || record is null || (record.IsPending && record.ExpiresTs < Now()))
            throw MatrixException.NotFound("Unknown media ID");
        if (record.Uploader != uploader.ToString())
            throw MatrixException.Forbidden("This media ID was created by another user");
        if (!record.IsPending)
            throw new MatrixException(409, "M_CANNOT_OVERWRITE_MEDIA", "Media already uploaded");
        await StoreContentAsync(uploader.ToString(), upload, async (sha, length, c) =>
        {
            record.ContentType = NormaliseType(upload.ContentType);
            record.UploadName = upload.FileName;
            record.Sha256 = sha;
            record.SizeBytes = length;
            record.UploadedTs = Now();
            if (!await store.CompleteAsync(record, c))
                throw new MatrixException(409, "M_CANNOT_OVERWRITE_MEDIA", "Media already uploaded");
        }, ct);
    }

    /// <summary>
    /// The metadata of local media ready to serve, its access recorded. Pending media is waited for up to
    /// <paramref name="maxWait"/> (the spec's <c>timeout_ms</c>), then answered with 504 <c>M_NOT_YET_UPLOADED</c>.
    /// Quarantined media is answered 404 as if it were gone, unless an admin asked to see it (<paramref name="bypassQuarantine"/>).
    /// </summary>
    public async Task<MediaRecord> GetReadyAsync(string serverName, string mediaId, TimeSpan maxWait, bool bypassQuarantine, CancellationToken ct)
    {
        MediaIds.EnsureValid(serverName, mediaId);
        if (serverName != server.ServerName)
            throw MatrixException.NotFound("Not media of this server");
        var deadline = time.GetUtcNow() + maxWait;
        while (true)
        {
            var record = await store.GetAsync(mediaId, ct);
            if (record is null || (record.IsPending && record.ExpiresTs < Now()) || (record.QuarantinedBy is not null && !bypassQuarantine))
                throw MatrixException.NotFound("Media not found");
            if (!record.IsPending)
            {
                await store.TouchAsync(mediaId, Now(), AccessCoarseness, ct);
                return record;
            }
            if (time.GetUtcNow() >= deadline)
                throw new MatrixException(504, "M_NOT_YET_UPLOADED", "Media has not been uploaded yet");
            await Task.Delay(PendingPoll, time, ct);
        }
    }

    /// <summary>Stored content to serve; the bytes read from it count as media served.</summary>
    public async Task<Stream?> OpenContentAsync(string sha256, CancellationToken ct) =>
        await content.OpenReadAsync(sha256, ct) is { } stream ? new ServedContentStream(stream) : null;

    /// <summary>A new scratch file beside the stored content (ffmpeg reads a video from a file); the caller deletes it.</summary>
    public string NewScratchPath() => content.NewTempPath();

    /// <summary>
    /// The cached thumbnail for this size, generating and storing it on first request through
    /// <paramref name="generate"/> (which reads the source and returns the encoded thumbnail).
    /// </summary>
    public async Task<ThumbnailRecord> GetOrCreateThumbnailAsync(MediaRecord media, int width, int height, string method, bool animated,
        Func<Stream, CancellationToken, Task<(byte[] Content, string ContentType)>> generate, CancellationToken ct)
    {
        if (await store.GetThumbnailAsync(media.MediaId, width, height, method, animated, ct) is { } cached)
            return cached;
        byte[] bytes;
        string contentType;
        await using (var source = await content.OpenReadAsync(media.Sha256!, ct) ?? throw MatrixException.NotFound("Media content is missing"))
            (bytes, contentType) = await generate(source, ct);
        var thumb = new ThumbnailRecord
        {
            MediaId = media.MediaId, Width = width, Height = height, Method = method, Animated = animated,
            ContentType = contentType, SizeBytes = bytes.Length,
        };
        await StoreBytesAsync(bytes, async (sha, c) =>
        {
            thumb.Sha256 = sha;
            await store.InsertThumbnailAsync(thumb, c);
        }, ct);
        return await store.GetThumbnailAsync(media.MediaId, width, height, method, animated, ct) ?? thumb;
    }

    /// <summary>Deletes media and its thumbnails; files no other row references are removed.</summary>
    public async Task<bool> DeleteAsync(string serverName, string mediaId, CancellationToken ct)
    {
        MediaIds.EnsureValid(serverName, mediaId);
        if (serverName != server.ServerName || await store.GetAsync(mediaId, ct) is null)
            return false;
        await DeleteRowsAsync(c => store.DeleteAsync(mediaId, c), ct);
        return true;
    }

    public bool IsLocal(string serverName) => serverName == server.ServerName;

    /// <summary>
    /// Deletes rows with <paramref name="deleteRows"/>, which returns the content hashes no row refers to any more,
    /// and then that content, both under the content lock of <see cref="CommitAsync"/>.
    /// </summary>
    internal async Task DeleteRowsAsync(Func<CancellationToken, Task<IReadOnlyList<string>>> deleteRows, CancellationToken ct)
    {
        await _contentLock.WaitAsync(ct);
        try
        {
            foreach (var sha in await deleteRows(ct))
                await content.DeleteAsync(sha, CancellationToken.None);
        }
        finally
        {
            _contentLock.Release();
        }
    }

    private async Task StoreContentAsync(string uploader, MediaUpload upload, Func<string, long, CancellationToken, Task> commit, CancellationToken ct)
    {
        var max = options.MaxUploadSize.Bytes;
        if (upload.DeclaredLength > max)
            throw new MediaTooLargeException(max);
        var quota = options.UserQuota.Bytes;
        var used = quota > 0 ? await store.StoredBytesAsync(uploader, ct) : 0;
        if (quota > 0 && used + (upload.DeclaredLength ?? 0) > quota)
            throw QuotaExceeded(quota);
        var temp = content.NewTempPath();
        try
        {
            string sha;
            long length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
                (sha, length) = await HashingLimitedStream.CopyAsync(upload.Body, file, max, ct);
            if (quota > 0 && used + length > quota)
                throw QuotaExceeded(quota);
            await CommitAsync(temp, sha, c => commit(sha, length, c), ct);
            HomeserverMetrics.MediaUploaded.Add(length);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    internal async Task StoreBytesAsync(byte[] bytes, Func<string, CancellationToken, Task> commit, CancellationToken ct)
    {
        var temp = content.NewTempPath();
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, ct);
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            await CommitAsync(temp, sha, c => commit(sha, c), ct);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Puts a finished temp file into the content store under its hash and inserts the row that refers to it.</summary>
    internal async Task CommitAsync(string temp, string sha, Func<CancellationToken, Task> insertRow, CancellationToken ct)
    {
        await _contentLock.WaitAsync(ct);
        try
        {
            await content.PutAsync(sha, temp, ct);
            await insertRow(ct);
        }
        finally
        {
            _contentLock.Release();
        }
    }

    private static MatrixException QuotaExceeded(long quota) =>
        MatrixException.Forbidden($"Upload would exceed your media storage quota of {quota} bytes");

    private static string NormaliseType(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType) ? "application/octet-stream" : contentType.Trim();

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
