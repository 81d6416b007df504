using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// A client's <c>txnId</c>, scoped to the device that sent it and to the request path it came on
/// (<see cref="Scope"/>, the path without the ID): the spec makes the same ID on another room, event type or
/// endpoint a different request, which must not be answered with the earlier one's event.
/// </summary>
public sealed record ClientTxn(string UserId, string DeviceId, string Scope, string TxnId)
{
    /// <summary><c>PUT /rooms/{roomId}/send/{eventType}/{txnId}</c>.</summary>
    public static ClientTxn ForSend(UserId userId, string deviceId, RoomId roomId, string eventType, string txnId) =>
        new(userId.ToString(), deviceId, $"send/{roomId}/{eventType}", txnId);

    /// <summary><c>PUT /rooms/{roomId}/redact/{eventId}/{txnId}</c>.</summary>
    public static ClientTxn ForRedact(UserId userId, string deviceId, RoomId roomId, EventId eventId, string txnId) =>
        new(userId.ToString(), deviceId, $"redact/{roomId}/{eventId}", txnId);
}
