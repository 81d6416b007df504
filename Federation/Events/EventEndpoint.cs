using Homeserver.Http.FederationAuth;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Reads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Events;

public static class EventEndpoint
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/event/{eventId} — one event, whole or redacted as the asking server may see it.
        v1.MapGet("/event/{eventId}", async (string eventId, HttpContext ctx, FederationEventReads reads, ServerIdentity server, TimeProvider time,
            CancellationToken ct) =>
        {
            var pdu = await reads.EventAsync(ctx.GetFederationOrigin(), FederationPaths.EventId(eventId), ct);
            return Results.Ok(FederationTransaction.Of(server, time, [pdu]));
        });
    }
}
