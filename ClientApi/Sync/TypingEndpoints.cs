using System.Text.Json;
using ClientApi.Rooms;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Sync;

public static class TypingEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}
        v3.MapPut("/rooms/{roomId}/typing/{userId}", async (string roomId, string userId, HttpContext ctx, TypingService typing, RoomReadService reads, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var isTyping = body.TryGetProperty("typing", out var t) && t.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? t.GetBoolean()
                : throw MatrixException.BadJson("'typing' must be a boolean");
            var timeout = body.TryGetProperty("timeout", out var to) && to.ValueKind == JsonValueKind.Number && to.TryGetInt64(out var ms) && ms >= 0
                ? TimeSpan.FromMilliseconds(ms)
                : isTyping ? throw MatrixException.BadJson("'timeout' (milliseconds) is required when typing") : TimeSpan.Zero;
            var room = RoomPaths.RoomId(roomId);
            if (!await reads.IsJoinedAsync(room, r.UserId, ct))
                throw MatrixException.Forbidden("You are not joined to this room");
            await typing.SetAsync(room, r.UserId, isTyping, timeout, ct);
            return Results.Ok(new { });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.Typing);
    }
}
