using Homeserver.Http.FederationAuth;
using Homeserver.Core.Federation.Reads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Events;

public static class EventAuthEndpoint
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/event_auth/{roomId}/{eventId} — the event's auth chain.
        v1.MapGet("/event_auth/{roomId}/{eventId}", async (string roomId, string eventId, HttpContext ctx, FederationEventReads reads, CancellationToken ct) =>
        {
            var chain = await reads.AuthChainAsync(ctx.GetFederationOrigin(), FederationPaths.RoomId(roomId), FederationPaths.EventId(eventId), ct);
            return Results.Ok(new { auth_chain = chain });
        });
    }
}
