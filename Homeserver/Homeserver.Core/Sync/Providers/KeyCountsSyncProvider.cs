using System.Text.Json.Nodes;
using Homeserver.Core.E2ee;

namespace Homeserver.Core.Sync.Providers;

/// <summary>
/// <c>device_one_time_keys_count</c> and <c>device_unused_fallback_key_types</c>: the device's key stock, in every
/// response. Never news on its own: a count alone does not end a long poll.
/// </summary>
public sealed class KeyCountsSyncProvider(DeviceKeyStore keys) : ISyncProvider
{
    public async Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct)
    {
        var stock = await keys.KeyStockAsync(ctx.UserId.ToString(), ctx.DeviceId, ct);
        response["device_one_time_keys_count"] = DeviceKeysService.CountsJson(stock.OneTimeKeyCounts);
        response["device_unused_fallback_key_types"] = new JsonArray(stock.UnusedFallbackAlgorithms.Select(a => (JsonNode)a).ToArray());
        return false;
    }
}
