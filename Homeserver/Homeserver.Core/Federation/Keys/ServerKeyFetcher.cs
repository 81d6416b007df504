using Homeserver.Core.Federation.Client;

namespace Homeserver.Core.Federation.Keys;

/// <summary>Fetches a server's keys from the server itself (<c>GET /_matrix/key/v2/server</c>), checking its self-signature.</summary>
public sealed class ServerKeyFetcher(FederationClient client, TimeProvider time)
{
    private const long MaxResponseBytes = 256 * 1024;

    /// <exception cref="HttpRequestException">The server could not be reached or did not answer with its keys.</exception>
    public async Task<IReadOnlyList<ServerKey>> FetchAsync(string serverName, CancellationToken ct)
    {
        var response = await client.SendForJsonAsync(HttpMethod.Get, serverName, "/_matrix/key/v2/server", null, ct, MaxResponseBytes);
        var keys = ServerKeysResponse.Read(response, serverName, time.GetUtcNow().ToUnixTimeMilliseconds());
        return keys.Count > 0 ? keys : throw new FederationRequestException($"{serverName} answered with keys that are malformed or not self-signed");
    }
}
