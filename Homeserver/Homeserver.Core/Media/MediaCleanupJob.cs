using Homeserver.Core.Configuration;

namespace Homeserver.Core.Media;

/// <summary>
/// The scheduled media clean-up (<c>media.retention</c>): local media not served for <c>local_media_lifetime</c>
/// (larger than <c>local_media_min_size</c>, avatars in use kept), and cached remote media older than
/// <c>remote_media_lifetime</c>, through the same deletions as the admin API.
/// </summary>
public sealed class MediaCleanupJob(MediaRetentionOptions options, MediaAdminService admin, TimeProvider time)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (options.LocalMediaLifetime is { } local)
            await admin.DeleteOldAsync((now - local.Value).ToUnixTimeMilliseconds(), options.LocalMediaMinSize.Bytes, keepProfiles: true, ct);
        if (options.RemoteMediaLifetime is { } remote)
            await admin.PurgeRemoteCacheAsync((now - remote.Value).ToUnixTimeMilliseconds(), ct);
    }
}
