using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Sync;

/// <summary>
/// Wakes the syncs of a user and of everyone who shares a joined room with them: the audience of news about a
/// person rather than about a room (their presence, their device keys).
/// </summary>
public sealed class RoomPeerNotifier(CurrentStateStore current, SyncNotifier notifier)
{
    public async Task NotifyUserAndPeersAsync(string userId, CancellationToken ct)
    {
        var audience = (await current.UsersSharingRoomWithAsync(userId, ct)).ToHashSet(StringComparer.Ordinal);
        audience.Add(userId);
        notifier.Notify(audience);
    }
}
