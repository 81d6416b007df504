using System.Text.Json;
using System.Text.Json.Nodes;
using ClientApi.Rooms;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Admin;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>
/// Synapse's room deletion: v2 runs in the background and answers with a <c>delete_id</c> whose status can be asked
/// for by that ID or by room; v1 runs while the request waits and answers with what it did.
/// </summary>
public static class RoomDeletionAdminEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapDelete("/v2/rooms/{roomId}", async (string roomId, HttpContext ctx, RoomDeletionService deletions, ServerIdentity server, CancellationToken ct) =>
        {
            var id = RoomPaths.RoomId(roomId);
            var request = await ReadRequestAsync(ctx, server, ct);
            return Results.Ok(new { delete_id = await deletions.ScheduleAsync(id, request, ct) });
        });

        admin.MapGet("/v2/rooms/delete_status/{deleteId}", async (string deleteId, RoomDeletionService deletions, CancellationToken ct) =>
            Results.Json(Json(await deletions.StatusAsync(deleteId, ct))));

        admin.MapGet("/v2/rooms/{roomId}/delete_status", async (string roomId, RoomDeletionService deletions, CancellationToken ct) =>
        {
            var statuses = await deletions.StatusesOfRoomAsync(RoomPaths.RoomId(roomId), ct);
            return Results.Json(new JsonObject { ["results"] = new JsonArray(statuses.Select(s => (JsonNode)Json(s)).ToArray()) });
        });

        admin.MapDelete("/v1/rooms/{roomId}", async (string roomId, HttpContext ctx, RoomDeletionService deletions, ServerIdentity server, CancellationToken ct) =>
        {
            var id = RoomPaths.RoomId(roomId);
            var request = await ReadRequestAsync(ctx, server, ct);
            return Results.Json(Json(await deletions.DeleteNowAsync(id, request, ct)));
        });
    }

    /// <summary>The body Synapse takes: at least <c>{}</c>; <c>new_room_user_id</c> must be one of our users.</summary>
    private static async Task<RoomDeletionRequest> ReadRequestAsync(HttpContext ctx, ServerIdentity server, CancellationToken ct)
    {
        var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
        UserId? newRoomUser = RoomPaths.OptionalString(body, "new_room_user_id") is { } text ? RoomPaths.UserId(text) : null;
        if (newRoomUser is { } owner && owner.ServerName != server.ServerName)
            throw MatrixException.InvalidParam("User must be our own: " + owner);
        var purge = Bool(body, "purge", true);
        var forcePurge = Bool(body, "force_purge", false);
        if (forcePurge && !purge)
            throw MatrixException.InvalidParam("force_purge is only valid with purge");
        return new RoomDeletionRequest(ctx.GetRequester().UserId, newRoomUser, RoomPaths.OptionalString(body, "room_name"),
            RoomPaths.OptionalString(body, "message"), Bool(body, "block", false), purge, forcePurge);
    }

    private static bool Bool(JsonElement body, string key, bool fallback) =>
        !body.TryGetProperty(key, out var v) ? fallback : v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw MatrixException.InvalidParam($"Param '{key}' must be a boolean, if given"),
        };

    private static JsonObject Json(RoomShutdownResult r) => new()
    {
        ["kicked_users"] = new JsonArray(r.KickedUsers.Select(u => (JsonNode)u).ToArray()),
        ["failed_to_kick_users"] = new JsonArray(r.FailedToKickUsers.Select(u => (JsonNode)u).ToArray()),
        ["local_aliases"] = new JsonArray(r.LocalAliases.Select(a => (JsonNode)a).ToArray()),
        ["new_room_id"] = r.NewRoomId,
    };

    private static JsonObject Json(RoomDeletionTask t)
    {
        var json = new JsonObject
        {
            ["delete_id"] = t.DeleteId,
            ["room_id"] = t.RoomId,
            ["status"] = t.Status,
            ["shutdown_room"] = Json(t.Result),
        };
        if (t.Error is { } error)
            json["error"] = error;
        return json;
    }
}
