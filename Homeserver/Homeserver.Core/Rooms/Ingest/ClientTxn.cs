namespace Homeserver.Core.Rooms.Ingest;

/// <summary>A client's <c>txnId</c>, scoped to the device that sent it.</summary>
public sealed record ClientTxn(string UserId, string DeviceId, string TxnId);
