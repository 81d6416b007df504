using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;

namespace Homeserver.Core.InboundFederation;

/// <summary>The body of <c>PUT /_matrix/federation/v1/send/{txnId}</c>, its shape and limits checked.</summary>
public sealed record InboundTransaction(IReadOnlyList<JsonNode?> Pdus, IReadOnlyList<JsonNode?> Edus)
{
    /// <summary>The spec's limits on one transaction.</summary>
    public const int MaxPdus = 50;
    public const int MaxEdus = 100;

    /// <exception cref="MatrixException">
    /// 400 <c>M_BAD_JSON</c> for a malformed body, 400 <c>M_TOO_LARGE</c> beyond the limits (Synapse's status), 403
    /// <c>M_FORBIDDEN</c> when the body names another origin than the server that signed the request.
    /// </exception>
    public static InboundTransaction Read(string origin, JsonObject body)
    {
        if (!PduReader.TryGetString(body["origin"], out var claimed))
            throw MatrixException.BadJson("The transaction has no 'origin'");
        if (claimed != origin)
            throw MatrixException.Forbidden($"The transaction's origin {claimed} is not the server that sent it, {origin}");
        if (body["pdus"] is not JsonArray pdus)
            throw MatrixException.BadJson("'pdus' must be an array");
        var edus = body["edus"] switch
        {
            null => [],
            JsonArray list => list,
            _ => throw MatrixException.BadJson("'edus' must be an array"),
        };
        if (pdus.Count > MaxPdus)
            throw new MatrixException(400, ErrorCodes.TooLarge, $"The transaction has {pdus.Count} PDUs; at most {MaxPdus} are allowed");
        if (edus.Count > MaxEdus)
            throw new MatrixException(400, ErrorCodes.TooLarge, $"The transaction has {edus.Count} EDUs; at most {MaxEdus} are allowed");
        return new InboundTransaction(pdus.ToList(), edus.ToList());
    }
}
