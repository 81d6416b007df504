using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.ToDevice;

/// <summary>Drops deleted devices' to-device inboxes and the transaction IDs they sent with.</summary>
public sealed class ToDeviceInboxDeletionStep : IDeviceDeletionStep
{
    public async Task OnDevicesDeletedAsync(StreamTransaction st, UserId userId, IReadOnlyList<string> deviceIds, CancellationToken ct)
    {
        foreach (var deviceId in deviceIds)
            await ToDeviceStore.DeleteDeviceAsync(st.Connection, st.Transaction, userId.ToString(), deviceId, ct);
    }
}
