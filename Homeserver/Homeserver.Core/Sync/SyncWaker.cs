using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Sync;

/// <summary>
/// Wakes the syncs an update concerns: its users, the joined members of its room and those peeking into it, and everyone sharing a joined
/// room with the user it names as <see cref="StreamUpdate.PeersOf"/>; all of them when updates may have been missed.
/// Between nodes every node runs one, for the syncs it holds.
/// </summary>
public sealed class SyncWaker(SyncNotifier notifier, CurrentStateStore current, Peeks.PeekStore peeks) : IStreamSubscriber
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
        // Those peeking into a room follow its events, receipts and typing too: through /sync (stored peeks) or the
        // /events stream (watching it while they wait).
        if (update.RoomId is { } room && (update.ToRoomMembers || update.Stream == StreamNames.Events))
        {
            notifier.Notify(await peeks.PeekersAsync(room, ct));
            notifier.NotifyWatchers(room);
        }
        if (update.PeersOf is { } userId)
        {
            notifier.Notify(await current.UsersSharingRoomWithAsync(userId, ct));
            // A member's presence is news to those watching the member's rooms through the /events stream.
            if (notifier.HasWatchers)
                foreach (var joined in await current.RoomsOfUserAsync(userId, "join", ct))
                    notifier.NotifyWatchers(joined);
        }
    }
}
