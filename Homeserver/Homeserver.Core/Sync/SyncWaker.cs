using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Sync;

/// <summary>
/// Wakes the syncs an update concerns: its users, the joined members of its room, and everyone sharing a joined
/// room with the user it names as <see cref="StreamUpdate.PeersOf"/>; all of them when updates may have been missed.
/// Between nodes every node runs one, for the syncs it holds.
/// </summary>
public sealed class SyncWaker(SyncNotifier notifier, CurrentStateStore current) : IStreamSubscriber
{
    public IReadOnlyCollection<string> Streams => [];

    public async ValueTask OnUpdateAsync(StreamUpdate update, CancellationToken ct)
    {
        if (update.Everyone)
        {
            notifier.NotifyAll();
            return;
        }
        notifier.Notify(update.Users);
        if (update.ToRoomMembers && update.RoomId is { } roomId)
            notifier.Notify((await current.MembersAsync(roomId, ct)).Where(m => m.Membership == "join").Select(m => m.UserId));
        if (update.PeersOf is { } userId)
            notifier.Notify(await current.UsersSharingRoomWithAsync(userId, ct));
    }
}
