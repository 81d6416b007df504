using System.Text.Json.Nodes;
using Homeserver.Core.E2ee;

namespace Homeserver.Core.Sync.Providers;

/// <summary>
/// <c>device_lists</c>: whose device keys to fetch again and whom to stop tracking. Incremental syncs only, as the
/// spec says; an initial sync fetches keys with <c>/keys/query</c>.
/// </summary>
public sealed class DeviceListsSyncProvider(DeviceListService deviceLists) : ISyncProvider
{
    public async Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct)
    {
        var delta = ctx.Since is { } since
            ? await deviceLists.BetweenAsync(ctx.UserId, new(since.DeviceLists, since.Events), new(ctx.Upto.DeviceLists, ctx.Upto.Events), ctx.MembershipsChanged, ct)
            : DeviceListService.Delta.None;
        response["device_lists"] = delta.ToJson();
        return !delta.IsEmpty;
    }
}
