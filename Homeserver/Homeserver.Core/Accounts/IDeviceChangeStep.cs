using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Accounts;

/// <summary>
/// What another domain does in the transaction that adds or renames a device (a device-list change for end-to-end
/// encryption), so accounts need not know that domain.
/// </summary>
public interface IDeviceChangeStep
{
    Task OnDeviceChangedAsync(StreamTransaction st, UserId userId, string deviceId, CancellationToken ct);
}
