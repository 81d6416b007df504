using System.Text.Json.Nodes;
using Homeserver.Http.FederationAuth;
using Homeserver.Core.InboundFederation;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Transactions;

public static class SendTransactionEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        // PUT /_matrix/federation/v1/send/{txnId} — PDUs and EDUs another server pushes; the answer reports on each PDU.
        v1.MapPut("/send/{txnId}", async (string txnId, HttpContext ctx, InboundTransactionService transactions, CancellationToken ct) =>
        {
            var origin = ctx.GetFederationOrigin();
            var body = JsonNode.Parse((await JsonBody.ReadObjectAsync(ctx.Request, ct)).GetRawText())!.AsObject();
            var answer = await transactions.ReceiveAsync(origin, txnId, body, ct);
            return Results.Text(answer, "application/json");
        });
    }
}
