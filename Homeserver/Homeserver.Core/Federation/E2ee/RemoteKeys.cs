using System.Text.Json.Nodes;
using Homeserver.Core.E2ee;
using Homeserver.Core.Federation.Client;

namespace Homeserver.Core.Federation.E2ee;

/// <summary>Asks another server for its users' device keys and one-time keys, within the client's timeout.</summary>
public sealed class RemoteKeys(FederationClient client) : IRemoteKeys
{
    public Task<JsonObject> QueryAsync(string serverName, JsonObject deviceKeys, TimeSpan timeout, CancellationToken ct) =>
        PostAsync(serverName, "/_matrix/federation/v1/user/keys/query", new JsonObject { ["device_keys"] = deviceKeys }, timeout, ct);

    public Task<JsonObject> ClaimAsync(string serverName, JsonObject oneTimeKeys, TimeSpan timeout, CancellationToken ct) =>
        PostAsync(serverName, "/_matrix/federation/v1/user/keys/claim", new JsonObject { ["one_time_keys"] = oneTimeKeys }, timeout, ct);

    private async Task<JsonObject> PostAsync(string serverName, string path, JsonObject body, TimeSpan timeout, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            return await client.SendForJsonAsync(HttpMethod.Post, serverName, path, body, bounded.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FederationRequestException($"{serverName} did not answer {path} within {timeout.TotalMilliseconds} ms");
        }
    }
}
