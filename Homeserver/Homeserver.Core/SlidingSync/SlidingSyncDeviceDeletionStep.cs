using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.SlidingSync;

/// <summary>A deleted device's sliding sync connections go with it, in the deleting transaction: nothing can present their positions again.</summary>
public sealed class SlidingSyncDeviceDeletionStep : IDeviceDeletionStep
{
    public async Task OnDevicesDeletedAsync(StreamTransaction st, UserId userId, IReadOnlyList<string> deviceIds, CancellationToken ct)
    {
        foreach (var deviceId in deviceIds)
            await SlidingSyncConnectionStore.DeleteDeviceAsync(st.Connection, st.Transaction, userId.ToString(), deviceId, ct);
    }
}
