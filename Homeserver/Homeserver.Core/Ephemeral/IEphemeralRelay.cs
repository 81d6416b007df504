using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Ephemeral;

/// <summary>
/// Where typing notices and public receipts go besides the room's local members: the room's other servers, which
/// federation implements. Called for every change, local or received; the implementation decides what leaves.
/// </summary>
public interface IEphemeralRelay
{
    Task TypingChangedAsync(RoomId roomId, UserId userId, bool typing, CancellationToken ct);

    /// <summary>
    /// How often a notice that goes on must be told again: the other servers end one they hear nothing more of. Null
    /// when nothing leaves this server.
    /// </summary>
    TimeSpan? TypingResendInterval { get; }

    /// <summary>The user is still typing, as told before; called every <see cref="TypingResendInterval"/> until the notice ends.</summary>
    Task TypingContinuesAsync(RoomId roomId, UserId userId, CancellationToken ct);

    Task ReceiptMovedAsync(RoomId roomId, UserId userId, EventId eventId, string? threadId, long ts, CancellationToken ct);
}
