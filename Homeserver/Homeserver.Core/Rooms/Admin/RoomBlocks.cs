using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// Rooms an admin blocked (the admin API's <c>/block</c>, or a room deletion with <c>block</c>): local users may not
/// join, be invited to or knock on them, refused with 403 as Synapse refuses them.
/// </summary>
public sealed class RoomBlocks(RoomAdminStore store)
{
    public async Task EnsureNotBlockedAsync(RoomId roomId, CancellationToken ct)
    {
        if (await store.BlockOfAsync(roomId.ToString(), ct) is not null)
            throw MatrixException.Forbidden("This room has been blocked on this server");
    }

    /// <summary>Who blocked the room, null when it is not blocked.</summary>
    public async Task<UserId?> BlockedByAsync(RoomId roomId, CancellationToken ct) =>
        await store.BlockOfAsync(roomId.ToString(), ct) is { } block ? UserId.Parse(block.UserId) : null;

    public Task SetAsync(RoomId roomId, UserId admin, bool blocked, CancellationToken ct) =>
        blocked ? store.BlockAsync(roomId.ToString(), admin.ToString(), ct) : store.UnblockAsync(roomId.ToString(), ct);
}
