using System.Text.Json;
using ClientApi.Rooms;
using Homeserver.Core.Errors;
using Homeserver.Core.ServerNotices;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's server notices admin API; the <c>PUT</c> form with a transaction ID sends a retried request once.</summary>
public static class ServerNoticeAdminEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/v1/send_server_notice", (HttpContext ctx, ServerNoticeService notices, CancellationToken ct) =>
            SendAsync(ctx, notices, null, ct));

        admin.MapPut("/v1/send_server_notice/{txnId}", (string txnId, HttpContext ctx, ServerNoticeService notices, CancellationToken ct) =>
            SendAsync(ctx, notices, $"{ctx.GetRequester().UserId}|{txnId}", ct));
    }

    private static async Task<IResult> SendAsync(HttpContext ctx, ServerNoticeService notices, string? txnKey, CancellationToken ct)
    {
        var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
        var target = RoomPaths.UserId(RoomPaths.OptionalString(body, "user_id") ?? throw MatrixException.MissingParam("Missing user_id"));
        var content = body.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Object
            ? RoomPaths.Content(c)
            : throw MatrixException.InvalidParam("'content' must be an object");
        var type = RoomPaths.OptionalString(body, "type") ?? "m.room.message";
        var stateKey = RoomPaths.OptionalString(body, "state_key");
        var eventId = await notices.SendAsync(target, type, stateKey, content, txnKey, ct);
        return Results.Ok(new { event_id = eventId.ToString() });
    }
}
