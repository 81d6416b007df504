using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>
/// Where a user's device and cross-signing key changes go besides the local users sharing a room with them: the servers
/// sharing one, which federation implements. Called inside the changing transaction, so the news is committed with
/// the change or not at all.
/// </summary>
public interface IDeviceListRelay
{
    /// <param name="streamId">The change's position (<see cref="DeviceListStore.RecordChangeAsync"/>).</param>
    Task DevicesChangedAsync(StreamTransaction st, string userId, long streamId, IReadOnlyList<string> deviceIds, bool deleted, CancellationToken ct);

    Task SigningKeysChangedAsync(StreamTransaction st, string userId, IReadOnlyList<CrossSigningStore.Key> keys, CancellationToken ct);
}
