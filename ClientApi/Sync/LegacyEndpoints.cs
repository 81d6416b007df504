using System.Globalization;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms;
using Homeserver.Core.Sync.Legacy;
using ClientApi.AppServices;
using ClientApi.Rooms;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Sync;

/// <summary>
/// The endpoints the spec deprecated in r0 that bots, bridges and older clients still call: <c>/initialSync</c>,
/// a room's <c>/initialSync</c>, the <c>/events</c> stream, <c>/events/{eventId}</c>, and sending and redacting without a
/// transaction ID. Served as Synapse serves them, on both path versions.
/// </summary>
public static class LegacyEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/initialSync
        v3.MapGet("/initialSync", async (HttpContext ctx, string? limit, string? archived, LegacyInitialSync initialSync, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            return Results.Ok(await initialSync.BuildAsync(r.UserId, r.DeviceId, Limit(limit, min: 0), archived == "true", ct));
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.HeavyRead);

        // GET /_matrix/client/v3/rooms/{roomId}/initialSync
        v3.MapGet("/rooms/{roomId}/initialSync", async (string roomId, string? limit, HttpContext ctx, LegacyRoomSnapshot snapshots, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            return Results.Ok(await snapshots.BuildAsync(r.UserId, r.DeviceId, RoomPaths.RoomId(roomId), Limit(limit, min: 0), ct));
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.HeavyRead).AllowGuests();

        // GET /_matrix/client/v3/events
        v3.MapGet("/events", async (HttpContext ctx, string? from, string? timeout, string? room_id, string? limit, LegacyEventStream stream,
            CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            // Guests use /events only to preview one room (spec guest access module), not as their event stream.
            if (r.IsGuest && room_id is null)
                throw new MatrixException(403, ErrorCodes.GuestAccessForbidden, "Guests must name the room they preview with room_id");
            var wait = LongPollTimeout.Parse(timeout);
            var room = room_id is null ? (Homeserver.Core.Identifiers.RoomId?)null : RoomPaths.RoomId(room_id);
            return Results.Ok(await stream.NextAsync(r.UserId, r.DeviceId, from, room, Limit(limit, LegacyEventStream.DefaultLimit), wait, ct));
        }).RequireAuthorization().AllowGuests();

        // GET /_matrix/client/v3/events/{eventId}
        v3.MapGet("/events/{eventId}", async (string eventId, HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            return Results.Ok(await reads.EventAsync(r.UserId, r.DeviceId, RoomPaths.EventId(eventId), ct));
        }).RequireAuthorization();

        // POST /_matrix/client/v3/rooms/{roomId}/send/{eventType}: no transaction ID, so no retry is recognised.
        v3.MapPost("/rooms/{roomId}/send/{eventType}", async (string roomId, string eventType, HttpContext ctx, RoomWriteService writes, RoomReadService reads,
            CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var content = RoomPaths.Content(await JsonBody.ReadObjectAsync(ctx.Request, ct));
            var room = RoomPaths.RoomId(roomId);
            await RoomEventEndpoints.EnsureJoinedAsync(reads, r.UserId, room, ct);
            var id = await writes.SendAsync(room, r.UserId, eventType, null, content, null, ct, originServerTs: MassagedTimestamp.Of(ctx));
            return Results.Ok(new { event_id = id });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.Message).AllowGuests();

        // POST /_matrix/client/v3/rooms/{roomId}/redact/{eventId}: the same without a transaction ID.
        v3.MapPost("/rooms/{roomId}/redact/{eventId}", (string roomId, string eventId, HttpContext ctx, RoomWriteService writes, RoomReadService reads,
            CancellationToken ct) => RoomEventEndpoints.RedactAsync(roomId, eventId, null, ctx, writes, reads, ct))
            .RequireAuthorization().RequireRateLimiting(RateLimitPolicies.Message);
    }

    /// <param name="min">0 where a limit of 0 means something (the initial syncs' tokens without messages).</param>
    private static int Limit(string? limit, int fallback = 10, int min = 1) =>
        limit is null ? fallback
        : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, min, RoomReadService.MaxPageSize)
        : throw MatrixException.InvalidParam("limit must be a non-negative number");
}
