using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Discovery;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Core.Observability;
using Homeserver.Core.Outbound;

namespace Homeserver.Core.Federation.Client;

/// <summary>
/// Requests to other homeservers: the destination found by <see cref="ServerResolver"/>, the request signed with our
/// key in an <c>X-Matrix</c> header naming the destination's server name (never the delegate's), sent over
/// <see cref="FederationHttp"/>.
/// </summary>
public sealed class FederationClient(FederationHttp http, ServerResolver resolver, ServerIdentity server, SigningKey key, FederationOptions options)
{
    /// <summary>Sends a signed request and reads the whole answer, whatever its status.</summary>
    /// <param name="pathAndQuery">The target as signed: from <c>/_matrix/</c> on, query included, already escaped.</param>
    /// <exception cref="FederationRequestException">Federation is off, or the destination is not a server name.</exception>
    /// <exception cref="HttpRequestException">The destination could not be reached or was refused by the address policy.</exception>
    public async Task<OutboundResponse> SendAsync(HttpMethod method, string destination, string pathAndQuery, JsonObject? content,
        CancellationToken ct, long? maxResponseBytes = null)
    {
        if (!options.Enabled)
            throw new FederationRequestException("federation is disabled in the config (federation.enabled)");
        ResolvedServer target;
        try
        {
            target = await resolver.ResolveAsync(destination, ct);
        }
        catch (ArgumentException e)
        {
            throw new FederationRequestException(e.Message);
        }
        using var request = new HttpRequestMessage(method, target.UriFor(pathAndQuery));
        request.Headers.Host = target.HostHeader;
        request.Options.Set(TrustedTracePropagator.DestinationKey, destination);
        request.Headers.TryAddWithoutValidation("Authorization",
            XMatrixAuthorization.Create(key, server.ServerName, destination, method.Method, pathAndQuery, content));
        if (content is not null)
        {
            request.Content = new ByteArrayContent(CanonicalJson.Encode(content));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return await http.Client.SendAsync(request, ct, maxResponseBytes);
    }

    /// <summary>Sends a signed request whose answer must be a 200 with a JSON object.</summary>
    /// <exception cref="FederationRequestException">Another status, or an answer that is not a JSON object.</exception>
    public async Task<JsonObject> SendForJsonAsync(HttpMethod method, string destination, string pathAndQuery, JsonObject? content,
        CancellationToken ct, long? maxResponseBytes = null)
    {
        var response = await SendAsync(method, destination, pathAndQuery, content, ct, maxResponseBytes);
        if (!response.IsSuccessStatusCode)
            throw new FederationRequestException($"{destination} answered {(int)response.StatusCode} to {method} {pathAndQuery}", (int)response.StatusCode,
                FederationRequestException.ErrorOf(response.Body));
        try
        {
            return JsonNode.Parse(response.Body) as JsonObject
                ?? throw new FederationRequestException($"{destination} answered {method} {pathAndQuery} with JSON that is not an object");
        }
        catch (JsonException)
        {
            throw new FederationRequestException($"{destination} answered {method} {pathAndQuery} with something that is not JSON");
        }
    }
}
