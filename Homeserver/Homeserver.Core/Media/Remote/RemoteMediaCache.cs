using Homeserver.Core.Concurrency;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Media.Remote;

/// <summary>
/// Other servers' media for our users: fetched from the origin on first request (once, however many ask at the same
/// time), streamed through a temp file into the content store while hashed and counted, and kept as a cache that is
/// evicted least recently accessed first when over <c>media.remote_cache_max_size</c>.
/// </summary>
public sealed class RemoteMediaCache(RemoteMediaStore store, MediaService media, IMediaContentStore content, IRemoteMediaSource source,
    MediaOptions options, TimeProvider time, ILogger<RemoteMediaCache> log)
{
    /// <summary>A large video over a slow link takes minutes; a stalled origin must not hold the fetch (and its waiters) for ever.</summary>
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(5);
    private const int EvictionBatch = 100;

    private readonly SingleFlight<string, bool> _fetches = new();
    private readonly SemaphoreSlim _evicting = new(1, 1);

    /// <summary>
    /// The cached media, fetched from <paramref name="origin"/> first when not cached and <paramref name="fetch"/> allows
    /// (the legacy unauthenticated endpoints serve only what is cached already).
    /// </summary>
    public async Task<MediaRecord> GetAsync(string origin, string mediaId, bool fetch, CancellationToken ct)
    {
        Validate(origin, mediaId);
        if (await store.GetAsync(origin, mediaId, ct) is { } cached)
        {
            await store.TouchAsync(origin, mediaId, Now(), ct);
            return cached.ToRecord();
        }
        if (!fetch)
            throw MatrixException.NotFound("Media not found");
        var key = new RemoteMediaKey(origin, mediaId);
        await FetchOnceAsync($"{origin}/{mediaId}", () => FetchAsync(key, null), ct);
        return (await store.GetAsync(origin, mediaId, ct))?.ToRecord() ?? throw Failed();
    }

    /// <summary>The origin's thumbnail of its media at one of our sizes, fetched and cached like the original.</summary>
    public async Task<ThumbnailRecord> GetThumbnailAsync(string origin, string mediaId, ThumbnailSizeRequest size, bool fetch, CancellationToken ct)
    {
        Validate(origin, mediaId);
        if (await store.GetThumbnailAsync(origin, mediaId, size, ct) is { } cached)
        {
            await store.TouchThumbnailAsync(origin, mediaId, size, Now(), ct);
            return cached;
        }
        if (!fetch)
            throw MatrixException.NotFound("Media not found");
        var key = new RemoteMediaKey(origin, mediaId);
        await FetchOnceAsync($"{origin}/{mediaId}/{size.Width}x{size.Height}/{size.Method}/{size.Animated}", () => FetchAsync(key, size), ct);
        return await store.GetThumbnailAsync(origin, mediaId, size, ct) ?? throw Failed();
    }

    /// <summary>
    /// Deletes every cached media ID (original and thumbnails) not accessed since <paramref name="beforeTs"/> (Unix
    /// milliseconds), with its content unless local media shares it; returns how many media IDs went.
    /// </summary>
    public async Task<int> PurgeNotAccessedSinceAsync(long beforeTs, CancellationToken ct)
    {
        var count = 0;
        while (await store.LeastRecentlyUsedAsync(beforeTs, EvictionBatch, ct) is { Count: > 0 } batch)
        {
            foreach (var key in batch)
                await DeleteAsync(key, ct);
            count += batch.Count;
        }
        return count;
    }

    // One waiter giving up does not cancel the fetch the others wait for.
    private Task FetchOnceAsync(string flight, Func<Task> fetch, CancellationToken ct) =>
        _fetches.RunAsync(flight, async () =>
        {
            await fetch();
            return true;
        }, ct);

    private async Task FetchAsync(RemoteMediaKey key, ThumbnailSizeRequest? size)
    {
        using var deadline = new CancellationTokenSource(FetchTimeout);
        var ct = deadline.Token;
        var max = options.MaxUploadSize.Bytes;
        var temp = content.NewTempPath();
        try
        {
            string sha;
            long length;
            string? type, name;
            try
            {
                await using var remote = size is null
                    ? await source.OpenDownloadAsync(key.Origin, key.MediaId, ct)
                    : await source.OpenThumbnailAsync(key.Origin, key.MediaId, size, ct);
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
                    (sha, length) = await HashingLimitedStream.CopyAsync(remote.Body, file, max, ct);
                (type, name) = (remote.ContentType, remote.FileName);
            }
            catch (MediaTooLargeException)
            {
                log.LogInformation("Media {MediaId} of {Origin} is larger than {Max} bytes: not fetched", key.MediaId, key.Origin, max);
                throw new MatrixException(502, ErrorCodes.TooLarge, $"Requested file is too large > {max} bytes");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or HttpRequestException or OperationCanceledException)
            {
                log.LogInformation("Media {MediaId} of {Origin} could not be fetched: {Reason}", key.MediaId, key.Origin, e.Message);
                throw Failed();
            }
            var now = Now();
            var contentType = string.IsNullOrWhiteSpace(type) ? "application/octet-stream" : type.Trim();
            await media.CommitAsync(temp, sha, c => size is null
                ? store.InsertAsync(new RemoteMediaEntry
                {
                    Origin = key.Origin, MediaId = key.MediaId, ContentType = contentType, UploadName = name, SizeBytes = length,
                    Sha256 = sha, CreatedTs = now, LastAccessTs = now,
                }, c)
                : store.InsertThumbnailAsync(key.Origin, new ThumbnailRecord
                {
                    MediaId = key.MediaId, Width = size.Width, Height = size.Height, Method = size.Method, Animated = size.Animated,
                    ContentType = contentType, SizeBytes = length, Sha256 = sha,
                }, now, c), ct);
        }
        finally
        {
            File.Delete(temp);
        }
        await EvictAsync(key, CancellationToken.None);
    }

    /// <summary>Deletes least recently accessed media IDs, never <paramref name="keep"/> (just fetched), until the cache fits its cap.</summary>
    private async Task EvictAsync(RemoteMediaKey keep, CancellationToken ct)
    {
        var cap = options.RemoteCacheMaxSize.Bytes;
        if (cap <= 0)
            return;
        await _evicting.WaitAsync(ct);
        try
        {
            var total = await store.TotalBytesAsync(ct);
            while (total > cap)
            {
                var victims = (await store.LeastRecentlyUsedAsync(long.MaxValue, EvictionBatch, ct)).Where(k => k != keep).ToList();
                if (victims.Count == 0)
                    return;
                foreach (var victim in victims.TakeWhile(_ => total > cap))
                {
                    await DeleteAsync(victim, ct);
                    total = await store.TotalBytesAsync(ct);
                    log.LogInformation("Evicted media {MediaId} of {Origin} from the remote media cache ({Total} of {Cap} bytes used)",
                        victim.MediaId, victim.Origin, total, cap);
                }
            }
        }
        finally
        {
            _evicting.Release();
        }
    }

    private Task DeleteAsync(RemoteMediaKey key, CancellationToken ct) => media.DeleteRowsAsync(c => store.DeleteAsync(key, c), ct);

    private static MatrixException Failed() => new(502, ErrorCodes.Unknown, "Failed to fetch remote media");

    private static void Validate(string origin, string mediaId)
    {
        if (!MediaIds.IsValidServerName(origin) || !MediaIds.IsValid(mediaId))
            throw MatrixException.InvalidParam("Invalid server name or media ID");
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
