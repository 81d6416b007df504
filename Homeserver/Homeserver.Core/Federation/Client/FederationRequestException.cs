using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Federation.Client;

/// <summary>
/// A request to another server that did not give a usable answer: refused, an error status, not JSON, or federation
/// is off. An <see cref="HttpRequestException"/>, so callers treat it as they treat a server that is down.
/// </summary>
public sealed class FederationRequestException(string message, int? status = null, JsonObject? error = null) : HttpRequestException(message)
{
    /// <summary>The remote's HTTP status when it answered; null when no answer came.</summary>
    public int? Status { get; } = status;

    /// <summary>The remote's Matrix error body (an object with a string <c>errcode</c>) when it answered with one.</summary>
    public JsonObject? Error { get; } = error;

    /// <summary>
    /// The remote does not serve the endpoint at all: 404 or 405, or 400 <c>M_UNRECOGNIZED</c>, as Synapse tells a server
    /// that predates an endpoint's version from one that refuses the request.
    /// </summary>
    public bool UnknownEndpoint =>
        Status is 404 or 405 || (Status == 400 && Error?["errcode"] is JsonValue code && code.TryGetValue(out string? errcode) && errcode == "M_UNRECOGNIZED");

    /// <summary>
    /// The remote's 4xx refusal as our client should see it (its status, errcode, message and other fields, such as
    /// <c>room_version</c>), as Synapse hands on a resident server's refusal; null for any other failure.
    /// </summary>
    public MatrixException? Refusal()
    {
        if (Status is not (>= 400 and < 500) || Error?["errcode"] is not JsonValue code || !code.TryGetValue(out string? errcode))
            return null;
        var message = Error["error"] is JsonValue text && text.TryGetValue(out string? said) ? said : Message;
        return new MatrixException(Status.Value, errcode, message)
        {
            Extra = Error.Where(p => p.Key is not ("errcode" or "error")).ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()),
        };
    }

    /// <summary>The Matrix error in an error answer's body, if it holds one.</summary>
    public static JsonObject? ErrorOf(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject o && o["errcode"] is JsonValue code && code.TryGetValue(out string? _) ? o : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
