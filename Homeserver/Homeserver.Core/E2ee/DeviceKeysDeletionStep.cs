using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>Drops deleted devices' keys, and tells whoever shares a room with the user to drop them from their lists.</summary>
public sealed class DeviceKeysDeletionStep(IDeviceListRelay relay) : IDeviceDeletionStep
{
    public async Task OnDevicesDeletedAsync(StreamTransaction st, UserId userId, IReadOnlyList<string> deviceIds, CancellationToken ct)
    {
        foreach (var deviceId in deviceIds)
            await DeviceKeyStore.DeleteDeviceAsync(st.Connection, st.Transaction, userId.ToString(), deviceId, ct);
        var streamId = await DeviceListStore.RecordChangeAsync(st, userId.ToString(), ct);
        await relay.DevicesChangedAsync(st, userId.ToString(), streamId, deviceIds, deleted: true, ct);
    }
}
