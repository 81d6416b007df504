using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Media;

/// <summary>
/// Synapse's media admin API: listing and deleting a user's media, deleting old media, quarantine and protection.
/// Deletions go through <see cref="MediaService.DeleteAsync"/>, so the content store (filesystem or S3) loses the
/// files no other media or thumbnail shares.
/// </summary>
public sealed class MediaAdminService(MediaAdminStore store, MediaService media, Remote.RemoteMediaCache remoteCache, UserStore users, RoomStore rooms,
    ServerIdentity server, ILogger<MediaAdminService> log)
{
    /// <summary>Synapse's <c>order_by</c> names for a user's media, and the columns they sort by.</summary>
    public static readonly IReadOnlyDictionary<string, string> UserMediaColumns = new Dictionary<string, string>
    {
        ["media_id"] = "media_id", ["upload_name"] = "upload_name", ["created_ts"] = "created_ts", ["last_access_ts"] = "last_access_ts",
        ["media_length"] = "size_bytes", ["media_type"] = "content_type", ["quarantined_by"] = "quarantined_by",
        ["safe_from_quarantine"] = "safe_from_quarantine",
    };

    public static readonly IReadOnlyDictionary<string, string> StatisticsColumns = new Dictionary<string, string>
    {
        ["user_id"] = "user_id", ["displayname"] = "displayname", ["media_length"] = "media_length", ["media_count"] = "media_count",
    };

    private string MxcPrefix => $"mxc://{server.ServerName}/";

    public async Task<(IReadOnlyList<MediaRecord> Media, long Total)> UserMediaAsync(UserId userId, MediaListOrder order, CancellationToken ct)
    {
        await EnsureLocalUserAsync(userId, ct);
        return (await store.PageOfUserAsync(userId.ToString(), order, ct), await store.CountOfUserAsync(userId.ToString(), ct));
    }

    /// <summary>Deletes the page of the user's media that <paramref name="order"/> picks; the IDs deleted.</summary>
    public async Task<IReadOnlyList<string>> DeleteUserMediaAsync(UserId userId, MediaListOrder order, CancellationToken ct)
    {
        await EnsureLocalUserAsync(userId, ct);
        var page = await store.PageOfUserAsync(userId.ToString(), order, ct);
        return await DeleteAllAsync(page.Select(m => m.MediaId).ToList(), ct);
    }

    /// <summary>
    /// Deletes local media last served (or, never served, uploaded) before <paramref name="beforeTs"/> and larger than
    /// <paramref name="sizeGt"/>; quarantined and protected media stay, and with <paramref name="keepProfiles"/> avatars in use.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteOldAsync(long beforeTs, long sizeGt, bool keepProfiles, CancellationToken ct)
    {
        if (sizeGt < 0)
            throw MatrixException.InvalidParam("Query parameter size_gt must be a string representing a positive integer.");
        // Synapse's guard against seconds given for milliseconds: this is December 1970 in milliseconds.
        if (beforeTs < 30_000_000_000)
            throw MatrixException.InvalidParam("Query parameter before_ts you provided is from the year 1970. Double check that you are providing a timestamp in milliseconds.");
        var deleted = await DeleteAllAsync(await store.OldAsync(beforeTs, sizeGt, keepProfiles, MxcPrefix, ct), ct);
        log.LogInformation("Deleted {Count} local media last used before {BeforeTs} and larger than {SizeGt} bytes (avatars kept: {KeepProfiles})",
            deleted.Count, beforeTs, sizeGt, keepProfiles);
        return deleted;
    }

    /// <summary>
    /// Deletes cached copies of other servers' media not used since <paramref name="beforeTs"/>; a later request fetches
    /// them again from their origin.
    /// </summary>
    public async Task<int> PurgeRemoteCacheAsync(long beforeTs, CancellationToken ct)
    {
        if (beforeTs < 0)
            throw MatrixException.InvalidParam("Query parameter before_ts must be a string representing a positive integer.");
        var deleted = await remoteCache.PurgeNotAccessedSinceAsync(beforeTs, ct);
        log.LogInformation("Purged {Count} cached remote media last used before {BeforeTs}", deleted, beforeTs);
        return deleted;
    }

    /// <summary>Quarantines one piece of media (protected media stays served); remote media has no cached copy to mark.</summary>
    public async Task QuarantineAsync(string serverName, string mediaId, UserId by, CancellationToken ct)
    {
        MediaIds.EnsureValid(serverName, mediaId);
        if (serverName == server.ServerName && await store.QuarantineAsync(mediaId, by.ToString(), ct))
            log.LogInformation("{Admin} quarantined media {MediaId}", by, mediaId);
    }

    public async Task UnquarantineAsync(string serverName, string mediaId, CancellationToken ct)
    {
        MediaIds.EnsureValid(serverName, mediaId);
        if (serverName == server.ServerName)
            await store.UnquarantineAsync(mediaId, ct);
    }

    /// <summary>Protects local media from quarantine, or lifts the protection; 404 for unknown media.</summary>
    public async Task ProtectAsync(string mediaId, bool safe, CancellationToken ct)
    {
        MediaIds.EnsureValid(server.ServerName, mediaId);
        if (!await store.ProtectAsync(mediaId, safe, ct))
            throw MatrixException.NotFound("Unknown media");
    }

    /// <summary>Quarantines the local media the room's events carry; how many were.</summary>
    public async Task<int> QuarantineRoomAsync(RoomId roomId, UserId by, CancellationToken ct)
    {
        var (local, _) = await RoomMediaAsync(roomId, ct);
        var count = 0;
        foreach (var mxc in local)
            if (await store.QuarantineAsync(mxc[MxcPrefix.Length..], by.ToString(), ct))
                count++;
        log.LogInformation("{Admin} quarantined {Count} media of {RoomId}", by, count, roomId);
        return count;
    }

    /// <summary>Quarantines every piece of media the local user uploaded that is not protected; how many were.</summary>
    public async Task<int> QuarantineUserAsync(UserId userId, UserId by, CancellationToken ct)
    {
        await EnsureLocalUserAsync(userId, ct);
        var count = await store.QuarantineOfUserAsync(userId.ToString(), by.ToString(), ct);
        log.LogInformation("{Admin} quarantined {Count} media of {UserId}", by, count, userId);
        return count;
    }

    /// <summary>The media URIs the room's events carry, ours and other servers'.</summary>
    public async Task<(IReadOnlyList<string> Local, IReadOnlyList<string> Remote)> RoomMediaAsync(RoomId roomId, CancellationToken ct)
    {
        if (await rooms.GetAsync(roomId.ToString(), ct) is null)
            throw MatrixException.NotFound("Unknown room");
        var urls = (await store.UrlsOfRoomAsync(roomId.ToString(), ct))
            .Where(u => u.Split('/') is [_, _, var s, var id] && MediaIds.IsValidServerName(s) && MediaIds.IsValid(id)).ToList();
        return (urls.Where(u => u.StartsWith(MxcPrefix, StringComparison.Ordinal)).ToList(),
            urls.Where(u => !u.StartsWith(MxcPrefix, StringComparison.Ordinal)).ToList());
    }

    public Task<(IReadOnlyList<UserMediaStatistics> Users, long Total)> StatisticsAsync(long? fromTs, long? untilTs, string? searchTerm,
        MediaListOrder order, CancellationToken ct)
    {
        if (fromTs < 0 || untilTs < 0)
            throw MatrixException.InvalidParam("Query parameters from_ts and until_ts must be positive integers.");
        if (fromTs > untilTs)
            throw MatrixException.InvalidParam("Query parameter until_ts must be greater than from_ts.");
        return store.StatisticsAsync(fromTs, untilTs, string.IsNullOrEmpty(searchTerm) ? null : searchTerm, order, ct);
    }

    private async Task<IReadOnlyList<string>> DeleteAllAsync(IReadOnlyList<string> mediaIds, CancellationToken ct)
    {
        var deleted = new List<string>();
        foreach (var id in mediaIds)
            if (await media.DeleteAsync(server.ServerName, id, ct))
                deleted.Add(id);
        return deleted;
    }

    private async Task EnsureLocalUserAsync(UserId userId, CancellationToken ct)
    {
        if (userId.ServerName != server.ServerName)
            throw MatrixException.InvalidParam("Can only look up local users");
        if (await users.GetAsync(userId.ToString(), ct) is null)
            throw MatrixException.NotFound("Unknown user");
    }
}
