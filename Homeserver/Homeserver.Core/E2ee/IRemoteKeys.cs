using System.Text.Json.Nodes;

namespace Homeserver.Core.E2ee;

/// <summary>
/// Keys of users of other servers, asked of their server (<c>/user/keys/query</c>, <c>/user/keys/claim</c>,
/// <c>/user/devices</c>), which
/// federation implements. Each call throws when the server cannot be reached or answers badly in time.
/// </summary>
public interface IRemoteKeys
{
    /// <param name="deviceKeys">The <c>device_keys</c> of the query: user IDs of that server to device IDs (empty for all).</param>
    Task<JsonObject> QueryAsync(string serverName, JsonObject deviceKeys, TimeSpan timeout, CancellationToken ct);

    /// <summary>The user's whole device list with its <c>stream_id</c>, from the user's server.</summary>
    Task<JsonObject> DeviceListAsync(string userId, TimeSpan timeout, CancellationToken ct);

    /// <param name="oneTimeKeys">The <c>one_time_keys</c> of the claim: user IDs of that server to device IDs to algorithms.</param>
    Task<JsonObject> ClaimAsync(string serverName, JsonObject oneTimeKeys, TimeSpan timeout, CancellationToken ct);
}
