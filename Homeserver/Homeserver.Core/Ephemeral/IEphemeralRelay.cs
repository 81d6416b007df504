using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Ephemeral;

/// <summary>
/// Where typing notices and public receipts go besides the room's local members: the room's other servers, which
/// federation implements. Called for every change, local or received; the implementation decides what leaves.
/// </summary>
public interface IEphemeralRelay
{
    Task TypingChangedAsync(RoomId roomId, UserId userId, bool typing, CancellationToken ct);

    Task ReceiptMovedAsync(RoomId roomId, UserId userId, EventId eventId, string? threadId, long ts, CancellationToken ct);
}
