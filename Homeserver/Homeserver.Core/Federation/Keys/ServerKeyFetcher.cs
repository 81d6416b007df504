using Homeserver.Core.Federation.Client;

namespace Homeserver.Core.Federation.Keys;

/// <summary>Fetches a server's keys from the server itself (<c>GET /_matrix/key/v2/server</c>), checking its self-signature.</summary>
public sealed class ServerKeyFetcher(FederationClient client, TimeProvider time)
{
    public const long MaxResponseBytes = 256 * 1024;

    /// <exception cref="HttpRequestException">The server could not be reached or did not answer with its keys.</exception>
    public async Task<FetchedServerKeys> FetchAsync(string serverName, CancellationToken ct)
    {
        var response = await client.SendForJsonAsync(HttpMethod.Get, serverName, "/_matrix/key/v2/server", null, ct, MaxResponseBytes);
        return ServerKeysResponse.ReadFetched(response, serverName, time.GetUtcNow().ToUnixTimeMilliseconds())
            ?? throw new FederationRequestException($"{serverName} answered with keys that are malformed or not self-signed");
    }
}
