using System.Text.Json.Nodes;
using Homeserver.Core.E2ee;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Federation.E2ee;

/// <summary>Asks another server for its users' device keys, device lists and one-time keys, within the caller's timeout.</summary>
public sealed class RemoteKeys(FederationClient client) : IRemoteKeys
{
    public Task<JsonObject> QueryAsync(string serverName, JsonObject deviceKeys, TimeSpan timeout, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, serverName, "/_matrix/federation/v1/user/keys/query", new JsonObject { ["device_keys"] = deviceKeys }, timeout, ct);

    public Task<JsonObject> ClaimAsync(string serverName, JsonObject oneTimeKeys, TimeSpan timeout, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, serverName, "/_matrix/federation/v1/user/keys/claim", new JsonObject { ["one_time_keys"] = oneTimeKeys }, timeout, ct);

    public Task<JsonObject> DeviceListAsync(string userId, TimeSpan timeout, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, UserId.Parse(userId).ServerName, $"/_matrix/federation/v1/user/devices/{Uri.EscapeDataString(userId)}", null, timeout, ct);

    private async Task<JsonObject> SendAsync(HttpMethod method, string serverName, string path, JsonObject? body, TimeSpan timeout, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            return await client.SendForJsonAsync(method, serverName, path, body, bounded.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FederationRequestException($"{serverName} did not answer {path} within {timeout.TotalMilliseconds} ms");
        }
    }
}
