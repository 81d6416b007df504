using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>
/// A device logged in to, created or renamed is a device-list change (Synapse reports it so): the user's other devices
/// and those sharing a room with them hear of it, here and on other servers, where a receiver following the updates'
/// <c>prev_id</c> chain must not see a gap.
/// </summary>
public sealed class DeviceListChangeStep(IDeviceListRelay relay) : IDeviceChangeStep
{
    public async Task OnDeviceChangedAsync(StreamTransaction st, UserId userId, string deviceId, CancellationToken ct)
    {
        var user = userId.ToString();
        await relay.DevicesChangedAsync(st, user, await DeviceListStore.RecordChangeAsync(st, user, ct), [deviceId], deleted: false, ct);
    }
}
