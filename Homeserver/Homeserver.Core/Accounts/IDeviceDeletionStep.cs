using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Accounts;

/// <summary>
/// What another domain keeps per device and drops in the transaction that deletes devices (keys, a to-device
/// inbox), so a deleted device leaves nothing behind while accounts need not know those domains.
/// </summary>
public interface IDeviceDeletionStep
{
    Task OnDevicesDeletedAsync(StreamTransaction st, UserId userId, IReadOnlyList<string> deviceIds, CancellationToken ct);
}
