using Homeserver.Http.FederationAuth;
using Federation.Events;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Reads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Rooms;

public static class StateIdsEndpoint
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/state_ids/{roomId}?event_id= — the state before an event, as event IDs.
        v1.MapGet("/state_ids/{roomId}", async (string roomId, string? event_id, HttpContext ctx, FederationStateReads reads, CancellationToken ct) =>
        {
            var room = FederationPaths.RoomId(roomId);
            var state = await reads.StateIdsAsync(ctx.GetFederationOrigin(), room,
                FederationPaths.EventId(event_id ?? throw MatrixException.MissingParam("Missing 'event_id'")), ct);
            return Results.Ok(new { pdu_ids = state.PduIds, auth_chain_ids = state.AuthChainIds });
        });
    }
}
