using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Client;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// <c>PUT /_matrix/federation/v1/send/{txnId}</c> (server-server API, "Transactions"): sends one transaction and
/// sorts the answer into <see cref="TransactionOutcome"/>s.
/// </summary>
public sealed class FederationTransactionClient(FederationClient client, ServerIdentity server, TimeProvider time, ILogger<FederationTransactionClient> log)
{
    /// <summary>The transaction answer is a small map of PDU results; more than this is not a homeserver speaking.</summary>
    private const long MaxAnswerBytes = 1024 * 1024;

    public sealed record Result(TransactionOutcome Outcome, string? Error);

    public async Task<Result> SendAsync(string destination, string txnId, IReadOnlyList<JsonObject> pdus, IReadOnlyList<JsonObject> edus,
        CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["origin"] = server.ServerName,
            ["origin_server_ts"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["pdus"] = new JsonArray(pdus.Select(p => (JsonNode)p.DeepClone()).ToArray()),
            ["edus"] = new JsonArray(edus.Select(e => (JsonNode)e.DeepClone()).ToArray()),
        };
        var path = "/_matrix/federation/v1/send/" + Uri.EscapeDataString(txnId);
        Outbound.OutboundResponse response;
        try
        {
            response = await client.SendAsync(HttpMethod.Put, destination, path, body, ct, MaxAnswerBytes);
        }
        catch (HttpRequestException e)
        {
            return new Result(TransactionOutcome.Failed, e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Result(TransactionOutcome.Failed, "timed out");
        }
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            LogPduErrors(destination, txnId, response.Body);
            return new Result(TransactionOutcome.Accepted, null);
        }
        var error = $"{destination} answered {status} to transaction {txnId}";
        return status is >= 400 and < 500 and not 408 and not 429
            ? new Result(TransactionOutcome.Refused, error)
            : new Result(TransactionOutcome.Failed, error);
    }

    private void LogPduErrors(string destination, string txnId, byte[] answer)
    {
        try
        {
            if (JsonNode.Parse(answer)?["pdus"] is not JsonObject results)
                return;
            foreach (var (eventId, result) in results)
                if (result is JsonObject r && r["error"] is JsonNode error)
                    log.LogInformation("{Destination} refused {EventId} of transaction {TxnId}: {Error}", destination, eventId, txnId, error.ToJsonString());
        }
        catch (JsonException)
        {
            log.LogDebug("{Destination} answered transaction {TxnId} with something that is not JSON", destination, txnId);
        }
    }
}
