using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Purge;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's admin history purge: started in the background, its status asked for by purge ID.</summary>
public static class PurgeHistoryEndpoints
{
    private sealed record PurgeRequest(bool? DeleteLocalEvents, string? PurgeUpToEventId, long? PurgeUpToTs);

    public static void Map(RouteGroupBuilder admin)
    {
        // The event to purge up to comes in the path (the older form) or the body.
        admin.MapPost("/v1/purge_history/{roomId}/{eventId?}", async (string roomId, string? eventId, HttpContext ctx, HistoryPurgeService purge,
            CancellationToken ct) =>
        {
            var body = JsonBody.Bind<PurgeRequest>(await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct));
            var upToEvent = (eventId ?? body.PurgeUpToEventId) is { } e ? EventId.Parse(e) : (EventId?)null;
            var purgeId = await purge.StartAsync(RoomId.Parse(roomId), upToEvent, body.PurgeUpToTs, body.DeleteLocalEvents ?? false, ct);
            return Results.Ok(new { purge_id = purgeId });
        });

        admin.MapGet("/v1/purge_history_status/{purgeId}", (string purgeId, HistoryPurgeService purge) =>
        {
            var status = purge.Status(purgeId);
            return Results.Ok(new { status = status.Status, error = status.Error });
        });
    }
}
