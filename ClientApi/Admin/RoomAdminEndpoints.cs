using System.Text.Json;
using System.Text.Json.Nodes;
using ClientApi.Rooms;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Admin;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>
/// Synapse's rooms admin API: the room list (<c>offset</c>, <c>total_rooms</c>, <c>next_batch</c>, <c>prev_batch</c>,
/// unlike the other lists), a room's details, members, state, forward extremities and block, and any event by ID.
/// </summary>
public static class RoomAdminEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/v1/rooms", async (HttpContext ctx, RoomAdminService rooms, CancellationToken ct) =>
        {
            var (from, limit) = AdminQuery.Page(ctx);
            var backwards = AdminQuery.Backwards(ctx);
            var page = await rooms.ListAsync((string?)ctx.Request.Query["order_by"] ?? "name", backwards, ctx.Request.Query["search_term"], from, limit, ct);
            var body = new JsonObject
            {
                ["rooms"] = new JsonArray(page.Rooms.Select(r => (JsonNode)Json(r)).ToArray()),
                ["offset"] = from,
                ["total_rooms"] = page.Total,
            };
            if (from + limit < page.Total)
                body["next_batch"] = from + limit;
            if (from > 0)
                body["prev_batch"] = Math.Max(from - limit, 0);
            return Results.Json(body);
        });

        var room = admin.MapGroup("/v1/rooms/{roomId}");

        room.MapGet("", async (string roomId, RoomAdminService rooms, CancellationToken ct) =>
        {
            var details = await rooms.DetailsAsync(RoomPaths.RoomId(roomId), ct);
            var json = Json(details.Room);
            json["topic"] = details.Room.Topic;
            json["avatar"] = details.Room.Avatar;
            json["joined_local_devices"] = details.JoinedLocalDevices;
            json["forgotten"] = details.Forgotten;
            return Results.Json(json);
        });

        room.MapGet("/members", async (string roomId, RoomAdminService rooms, CancellationToken ct) =>
        {
            var members = await rooms.MembersAsync(RoomPaths.RoomId(roomId), ct);
            return Results.Ok(new { members, total = members.Count });
        });

        room.MapGet("/state", async (string roomId, RoomAdminService rooms, CancellationToken ct) =>
            Results.Json(new JsonObject { ["state"] = new JsonArray((await rooms.StateAsync(RoomPaths.RoomId(roomId), ct)).Select(e => (JsonNode)e).ToArray()) }));

        room.MapGet("/forward_extremities", async (string roomId, RoomAdminService rooms, CancellationToken ct) =>
        {
            var results = await rooms.ForwardExtremitiesAsync(RoomPaths.RoomId(roomId), ct);
            return Results.Ok(new
            {
                count = results.Count,
                results = results.Select(x => new { event_id = x.EventId, state_group = x.StateGroup, depth = x.Depth, received_ts = x.ReceivedTs }),
            });
        });

        room.MapDelete("/forward_extremities", async (string roomId, RoomAdminService rooms, CancellationToken ct) =>
            Results.Ok(new { deleted = await rooms.DeleteForwardExtremitiesAsync(RoomPaths.RoomId(roomId), ct) }));

        room.MapGet("/block", async (string roomId, RoomBlocks blocks, CancellationToken ct) =>
            Results.Ok(await blocks.BlockedByAsync(RoomPaths.RoomId(roomId), ct) is { } by
                ? new { block = true, user_id = by.ToString() }
                : (object)new { block = false }));

        room.MapPut("/block", async (string roomId, HttpContext ctx, RoomBlocks blocks, CancellationToken ct) =>
        {
            var id = RoomPaths.RoomId(roomId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var block = body.TryGetProperty("block", out var b) && b.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? b.GetBoolean()
                : throw MatrixException.InvalidParam("Missing or invalid 'block': it must be a boolean");
            await blocks.SetAsync(id, ctx.GetRequester().UserId, block, ct);
            return Results.Ok(new { block });
        });

        admin.MapPost("/v1/join/{roomIdOrAlias}", async (string roomIdOrAlias, HttpContext ctx, ForcedJoin joins, RoomAliasService aliases, CancellationToken ct) =>
        {
            var roomId = roomIdOrAlias.StartsWith('#') ? await aliases.ResolveAsync(roomIdOrAlias, ct) : RoomPaths.RoomId(roomIdOrAlias);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var target = RoomPaths.UserId(RoomPaths.OptionalString(body, "user_id") ?? throw MatrixException.MissingParam("Missing user_id"));
            await joins.JoinAsync(ctx.GetRequester().UserId, target, roomId, ct);
            return Results.Ok(new { room_id = roomId.ToString() });
        });

        admin.MapGet("/v1/fetch_event/{eventId}", async (string eventId, RoomAdminService rooms, CancellationToken ct) =>
            Results.Json(new JsonObject { ["event"] = await rooms.EventAsync(RoomPaths.EventId(eventId, "Event not found"), ct) }));
    }

    private static JsonObject Json(RoomSummary r) => new()
    {
        ["room_id"] = r.RoomId,
        ["name"] = r.Name,
        ["canonical_alias"] = r.CanonicalAlias,
        ["joined_members"] = r.JoinedMembers,
        ["joined_local_members"] = r.JoinedLocalMembers,
        ["version"] = r.Version,
        ["creator"] = r.Creator,
        ["encryption"] = r.Encryption,
        ["federatable"] = r.Federatable,
        ["public"] = r.Public,
        ["join_rules"] = r.JoinRules,
        ["guest_access"] = r.GuestAccess,
        ["history_visibility"] = r.HistoryVisibility,
        ["state_events"] = r.StateEvents,
        ["room_type"] = r.RoomType,
    };
}
