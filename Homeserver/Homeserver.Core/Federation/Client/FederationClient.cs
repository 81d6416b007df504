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
        using var request = await SignedRequestAsync(method, destination, pathAndQuery, content, ct);
        return await http.Client.SendAsync(request, ct, maxResponseBytes);
    }

    /// <summary>
    /// Sends a signed <c>GET</c> and returns the answer once its headers are in, whatever its status, for a body read
    /// as it arrives (<see cref="GuardedHttpClient.OpenAsync"/>); the caller disposes it.
    /// </summary>
    /// <exception cref="FederationRequestException">Federation is off, or the destination is not a server name.</exception>
    /// <exception cref="HttpRequestException">The destination could not be reached or was refused by the address policy.</exception>
    public async Task<HttpResponseMessage> OpenAsync(string destination, string pathAndQuery, CancellationToken ct)
    {
        using var request = await SignedRequestAsync(HttpMethod.Get, destination, pathAndQuery, null, ct);
        return await http.Client.OpenAsync(request, ct);
    }

    private async Task<HttpRequestMessage> SignedRequestAsync(HttpMethod method, string destination, string pathAndQuery, JsonObject? content,
        CancellationToken ct)
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
        var request = new HttpRequestMessage(method, target.UriFor(pathAndQuery));
        request.Headers.Host = target.HostHeader;
        request.Options.Set(TrustedTracePropagator.DestinationKey, destination);
        request.Headers.TryAddWithoutValidation("Authorization",
            XMatrixAuthorization.Create(key, server.ServerName, destination, method.Method, pathAndQuery, content));
        if (content is not null)
        {
            request.Content = new ByteArrayContent(CanonicalJson.Encode(content));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return request;
    }

    /// <summary>Sends a signed request whose answer must be a 200 with a JSON object.</summary>
    /// <exception cref="FederationRequestException">Another status, or an answer that is not a JSON object.</exception>
    public async Task<JsonObject> SendForJsonAsync(HttpMethod method, string destination, string pathAndQuery, JsonObject? content,
        CancellationToken ct, long? maxResponseBytes = null) =>
        AnswerOf(await SendAsync(method, destination, pathAndQuery, content, ct, maxResponseBytes), destination, method, pathAndQuery) as JsonObject
            ?? throw new FederationRequestException($"{destination} answered {method} {pathAndQuery} with JSON that is not an object");

    /// <summary>
    /// A <c>PUT</c> of a membership handshake (<c>/send_join</c>, <c>/send_leave</c>, <c>/invite</c>, then
    /// <paramref name="pathAfterVersion"/>) at v2, and at v1 when the remote does not serve v2
    /// (<see cref="FederationRequestException.UnknownEndpoint"/>), as Synapse falls back for servers that predate v2.
    /// v1 takes <paramref name="v1Content"/> and wraps its answer as <c>[200, {...}]</c> (MSC1802); the object is returned.
    /// </summary>
    public async Task<JsonObject> PutV2OrV1Async(string destination, string pathAfterVersion, JsonObject content, Func<JsonObject> v1Content,
        CancellationToken ct, long? maxResponseBytes = null)
    {
        try
        {
            return await SendForJsonAsync(HttpMethod.Put, destination, "/_matrix/federation/v2" + pathAfterVersion, content, ct, maxResponseBytes);
        }
        catch (FederationRequestException e) when (e.UnknownEndpoint)
        {
            var path = "/_matrix/federation/v1" + pathAfterVersion;
            return AnswerOf(await SendAsync(HttpMethod.Put, destination, path, v1Content(), ct, maxResponseBytes), destination, HttpMethod.Put, path)
                is JsonArray { Count: 2 } wrapped && wrapped[1] is JsonObject answer
                ? answer
                : throw new FederationRequestException($"{destination} answered PUT {path} with JSON that is not [200, {{...}}]");
        }
    }

    /// <summary>The JSON of a successful answer; a <see cref="FederationRequestException"/> for any other.</summary>
    private static JsonNode? AnswerOf(OutboundResponse response, string destination, HttpMethod method, string pathAndQuery)
    {
        if (!response.IsSuccessStatusCode)
            throw new FederationRequestException($"{destination} answered {(int)response.StatusCode} to {method} {pathAndQuery}", (int)response.StatusCode,
                FederationRequestException.ErrorOf(response.Body));
        try
        {
            return JsonNode.Parse(response.Body);
        }
        catch (JsonException)
        {
            throw new FederationRequestException($"{destination} answered {method} {pathAndQuery} with something that is not JSON");
        }
    }
}
