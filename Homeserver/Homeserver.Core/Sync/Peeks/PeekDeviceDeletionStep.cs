using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Sync.Peeks;

/// <summary>A deleted device's peeks go with it, so a later device given the same ID does not inherit them.</summary>
public sealed class PeekDeviceDeletionStep : IDeviceDeletionStep
{
    public async Task OnDevicesDeletedAsync(StreamTransaction st, UserId userId, IReadOnlyList<string> deviceIds, CancellationToken ct)
    {
        foreach (var deviceId in deviceIds)
            await PeekStore.DeleteDeviceAsync(st.Connection, st.Transaction, userId.ToString(), deviceId, ct);
    }
}
