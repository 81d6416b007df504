using ClientApi.AppServices;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class RoomEventEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/rooms/{roomId}").RequireAuthorization().AllowGuests();

        // PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}
        g.MapPut("/send/{eventType}/{txnId}", async (string roomId, string eventType, string txnId, HttpContext ctx, RoomWriteService writes, RoomReadService reads, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var content = RoomPaths.Content(await JsonBody.ReadObjectAsync(ctx.Request, ct));
            var room = RoomPaths.RoomId(roomId);
            await EnsureJoinedAsync(reads, r.UserId, room, ct);
            var eventId = await writes.SendAsync(room, r.UserId, eventType, null, content, ClientTxn.ForSend(r.UserId, r.DeviceId, room, eventType, txnId), ct,
                originServerTs: MassagedTimestamp.Of(ctx));
            return Results.Ok(new { event_id = eventId });
        }).RequireRateLimiting(RateLimitPolicies.Message);

        // PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}
        g.MapPut("/redact/{eventId}/{txnId}", (string roomId, string eventId, string txnId, HttpContext ctx, RoomWriteService writes, RoomReadService reads, CancellationToken ct) =>
            RedactAsync(roomId, eventId, txnId, ctx, writes, reads, ct)).RequireRateLimiting(RateLimitPolicies.Message).DenyGuests();

        // GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}
        g.MapGet("/event/{eventId}", async (string roomId, string eventId, HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            return Results.Ok(await reads.EventAsync(r.UserId, r.DeviceId, RoomPaths.RoomId(roomId), RoomPaths.EventId(eventId), ct));
        });

        // GET /_matrix/client/v3/rooms/{roomId}/messages
        g.MapGet("/messages", async (string roomId, string? from, string? to, string? dir, string? limit, string? filter, HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
        {
            var backwards = RelationEndpoints.Direction(dir);
            var pageSize = RelationEndpoints.Limit(limit, 10);
            var r = ctx.GetRequester();
            var page = await reads.MessagesAsync(r.UserId, r.DeviceId, RoomPaths.RoomId(roomId), from, to, backwards, pageSize, ct,
                Homeserver.Core.Rooms.Timeline.RoomEventFilter.Parse(filter));
            return Results.Ok(new { chunk = page.Chunk, start = page.Start, end = page.End, state = page.State });
        }).RequireRateLimiting(RateLimitPolicies.HeavyRead);
    }

    /// <summary>Only joined members may send; the auth rules say the same, but this answers before any work.</summary>
    /// <summary>A redaction, recognised on retry by its transaction ID when it has one (the legacy POST has none).</summary>
    internal static async Task<IResult> RedactAsync(string roomId, string eventId, string? txnId, HttpContext ctx, RoomWriteService writes,
        RoomReadService reads, CancellationToken ct)
    {
        var r = ctx.GetRequester();
        var content = RoomPaths.Content(await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct));
        var room = RoomPaths.RoomId(roomId);
        await EnsureJoinedAsync(reads, r.UserId, room, ct);
        var target = EventId.Parse(RoomPaths.Segment(eventId));
        var id = await writes.SendAsync(room, r.UserId, EventTypes.Redaction, null, content,
            txnId is null ? null : ClientTxn.ForRedact(r.UserId, r.DeviceId, room, target, txnId), ct, target);
        return Results.Ok(new { event_id = id });
    }

    internal static async Task EnsureJoinedAsync(RoomReadService reads, UserId userId, RoomId roomId, CancellationToken ct)
    {
        if (!await reads.IsJoinedAsync(roomId, userId, ct))
            throw Homeserver.Core.Errors.MatrixException.Forbidden("You are not joined to this room");
    }
}
