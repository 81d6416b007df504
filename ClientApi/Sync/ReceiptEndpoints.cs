using System.Text.Json;
using ClientApi.Rooms;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Sync;

public static class ReceiptEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}
        v3.MapPost("/rooms/{roomId}/receipt/{receiptType}/{eventId}", async (string roomId, string receiptType, string eventId, HttpContext ctx, ReceiptService receipts, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var threadId = RoomPaths.OptionalString(body, "thread_id");
            if (threadId is not null && receiptType == ReceiptService.FullyRead)
                throw MatrixException.BadJson("m.fully_read has no thread");
            await receipts.SendAsync(RoomPaths.RoomId(roomId), ctx.GetRequester().UserId, receiptType, RoomPaths.EventId(eventId, ReceiptService.EventNotFound), threadId, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/rooms/{roomId}/read_markers
        v3.MapPost("/rooms/{roomId}/read_markers", async (string roomId, HttpContext ctx, ReceiptService receipts, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var userId = ctx.GetRequester().UserId;
            var room = RoomPaths.RoomId(roomId);
            foreach (var type in new[] { ReceiptService.FullyRead, ReceiptService.Read, ReceiptService.ReadPrivate })
                if (RoomPaths.OptionalString(body, type) is { } eventId)
                    await receipts.SendAsync(room, userId, type, RoomPaths.EventId(eventId, ReceiptService.EventNotFound), null, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();
    }
}
