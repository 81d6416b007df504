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
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

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
            var timeout = Timeout(body);
            var room = RoomPaths.RoomId(roomId);
            if (!await reads.IsJoinedAsync(room, r.UserId, ct))
                throw MatrixException.Forbidden("You are not joined to this room");
            await typing.SetAsync(room, r.UserId, isTyping, timeout, ct);
            return Results.Ok(new { });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.Typing);
    }

    /// <summary>
    /// The spec makes <c>timeout</c> optional; without it a notice lasts <see cref="DefaultTimeout"/>, as in Synapse.
    /// A number out of range is clamped (the service caps it); anything else is not the schema's integer.
    /// </summary>
    private static TimeSpan Timeout(JsonElement body)
    {
        if (!body.TryGetProperty("timeout", out var to) || to.ValueKind == JsonValueKind.Null)
            return DefaultTimeout;
        if (to.ValueKind != JsonValueKind.Number)
            throw MatrixException.BadJson("'timeout' must be a number of milliseconds");
        return TimeSpan.FromMilliseconds(Math.Clamp(to.GetDouble(), 0, TypingService.MaxTimeout.TotalMilliseconds));
    }
}
