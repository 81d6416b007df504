using System.Text.Json.Nodes;
using Homeserver.Core.E2ee;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Sync;

/// <summary><c>GET /keys/changes</c>: the device-list delta between two sync tokens, as a sync would have given it.</summary>
public sealed class KeyChangesService(DeviceListService deviceLists)
{
    public async Task<JsonObject> BetweenAsync(UserId userId, string from, string to, CancellationToken ct)
    {
        var (since, upto) = (SyncToken.Parse(from), SyncToken.Parse(to));
        var delta = await deviceLists.BetweenAsync(userId, new(since.DeviceLists, since.Events), new(upto.DeviceLists, upto.Events), membershipsChanged: true, ct);
        return delta.ToJson();
    }
}
