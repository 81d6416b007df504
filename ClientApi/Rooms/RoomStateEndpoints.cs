using System.Text.Json.Nodes;
using ClientApi.AppServices;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class RoomStateEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // Guests read state and members, and since v1.2 send state, as the spec's guest access module lists.
        var g = v3.MapGroup("/rooms/{roomId}").RequireAuthorization().AllowGuests();

        // GET /_matrix/client/v3/rooms/{roomId}/state
        g.MapGet("/state", async (string roomId, HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
            Results.Ok(await reads.StateAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), ct)));

        // GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
        g.MapGet("/state/{eventType}/{stateKey?}", async (string roomId, string eventType, string? stateKey, string? format, HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
        {
            var ev = await reads.StateEventAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), eventType, stateKey ?? "", ct);
            return Results.Ok(format == "event" ? ev : ev["content"]);
        });

        // PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
        g.MapPut("/state/{eventType}/{stateKey?}", async (string roomId, string eventType, string? stateKey, HttpContext ctx, RoomWriteService writes,
            RoomReadService reads, MembershipService memberships, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var content = RoomPaths.Content(await JsonBody.ReadObjectAsync(ctx.Request, ct));
            var room = RoomPaths.RoomId(roomId);
            if (eventType == EventTypes.Member && await MemberStatePut.TryAsync(reads, memberships, r.UserId, room, stateKey ?? "", content, ct) is { } changed)
                return Results.Ok(new { event_id = changed });
            await RoomEventEndpoints.EnsureJoinedAsync(reads, r.UserId, room, ct);
            var id = await writes.SendAsync(room, r.UserId, eventType, stateKey ?? "", content, null, ct, originServerTs: MassagedTimestamp.Of(ctx));
            return Results.Ok(new { event_id = id });
        }).RequireRateLimiting(RateLimitPolicies.Message);

        // GET /_matrix/client/v3/rooms/{roomId}/members
        g.MapGet("/members", async (string roomId, string? at, string? membership, string? not_membership, HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
            Results.Ok(new { chunk = await reads.MembersAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), at, membership, not_membership, ct) }))
            .RequireRateLimiting(RateLimitPolicies.HeavyRead);

        // GET /_matrix/client/v3/rooms/{roomId}/joined_members
        g.MapGet("/joined_members", async (string roomId, HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
        {
            var members = await reads.MembersAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), null, "join", null, ct);
            // Both keys are always there, null when unset, as Synapse answers (the response JSON options drop nulls of
            // typed objects, not of a JsonObject's members).
            var joined = new JsonObject();
            foreach (var m in members)
                joined[m["state_key"]!.GetValue<string>()] = new JsonObject
                {
                    ["display_name"] = Homeserver.Core.Json.JsonFields.String(m["content"], "displayname"),
                    ["avatar_url"] = Homeserver.Core.Json.JsonFields.String(m["content"], "avatar_url"),
                };
            return Results.Ok(new { joined });
        }).DenyGuests();
    }
}
