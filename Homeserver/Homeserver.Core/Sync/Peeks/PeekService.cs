using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Sync.Peeks;

/// <summary>
/// Peeking (MSC2753, as SyTest tests it): a device follows a room it is not in through its own <c>/sync</c>, under
/// <c>rooms.peek</c>. Only a world-readable room may be peeked into, and a peek shows nothing once the room stops
/// being world-readable. Peeking gives no right to act in the room: sending still needs membership.
/// </summary>
public sealed class PeekService(PeekStore store, StreamPublisher writer, RoomStore rooms, RoomReadService reads)
{
    public async Task PeekAsync(UserId userId, string deviceId, RoomId roomId, CancellationToken ct)
    {
        // An unknown room is refused like a private one, so peeking tells no one which rooms exist here.
        if (await rooms.GetAsync(roomId.ToString(), ct) is null
            || !await reads.IsWorldReadableAsync(roomId, await reads.VersionOfAsync(roomId, ct), ct))
            throw MatrixException.Forbidden("Only a world-readable room may be peeked into");
        await writer.WriteAsync(st => PeekStore.AddAsync(st, userId.ToString(), deviceId, roomId.ToString(), ct), ct);
    }

    public Task UnpeekAsync(UserId userId, string deviceId, RoomId roomId, CancellationToken ct) =>
        store.RemoveAsync(userId.ToString(), deviceId, roomId.ToString(), ct);
}
