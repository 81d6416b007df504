using Homeserver.Http.FederationAuth;
using Federation.Events;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Reads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Rooms;

public static class StateEndpoint
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/state/{roomId}?event_id= — the state before an event, as PDUs, with its auth chain.
        v1.MapGet("/state/{roomId}", async (string roomId, string? event_id, HttpContext ctx, FederationStateReads reads, CancellationToken ct) =>
        {
            var room = FederationPaths.RoomId(roomId);
            var state = await reads.StateAsync(ctx.GetFederationOrigin(), room,
                FederationPaths.EventId(event_id ?? throw MatrixException.MissingParam("Missing 'event_id'")), ct);
            return Results.Ok(new { pdus = state.Pdus, auth_chain = state.AuthChain });
        });
    }
}
