using System.Text.Json;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Errors;
using Homeserver.Core.Filters;
using Homeserver.Core.Presence;
using Homeserver.Core.Connections;
using Homeserver.Core.Sync;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Sync;

public static class SyncEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/sync
        v3.MapGet("/sync", async (HttpContext ctx, string? since, string? timeout, string? full_state, string? filter, string? set_presence,
            SyncService sync, FilterService filters, SessionValidator sessions, SyncConnectionTracker connections, PresenceService presence,
            ConnectionsPerAddressLimiter perAddress, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            if (set_presence is not null && !PresenceService.IsState(set_presence))
                throw MatrixException.InvalidParam("set_presence must be one of online, unavailable, offline");
            // The same endpoint upgrades to a WebSocket that pushes every sync result (docs/websocket-sync.md).
            if (ctx.WebSockets.IsWebSocketRequest)
            {
                var initialFilter = await filters.ForSyncAsync(r.UserId, filter, ct);
                var initialSince = since is null ? (SyncToken?)null : SyncToken.Parse(since);
                await using var slot = await perAddress.AcquireAsync(ClientAddressKey.Of(ctx), ct);
                using var socket = await ctx.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
                {
                    KeepAliveInterval = TimeSpan.FromSeconds(20),
                    KeepAliveTimeout = TimeSpan.FromSeconds(40),
                });
                using (connections.Begin(r.UserId, r.DeviceId, webSocket: true))
                    await new WebSocketSyncSession(socket, r, sync, sessions, presence).RunAsync(initialSince, initialFilter, set_presence, ct);
                return Results.Empty;
            }
            var token = since is null ? (SyncToken?)null : SyncToken.Parse(since);
            var wait = LongPollTimeout.Parse(timeout);
            var syncFilter = await filters.ForSyncAsync(r.UserId, filter, ct);
            using var live = connections.Begin(r.UserId, r.DeviceId, webSocket: false);
            await presence.OnSyncAsync(r.UserId, set_presence, ct);
            var result = await sync.SyncAsync(new SyncService.SyncRequest(r.UserId, r.DeviceId, token, syncFilter, full_state == "true"), wait, ct,
                () => r.IsLiveAsync(sessions, ct));
            // Written as UTF-8 straight away: a large initial sync is megabytes, and a string of it is twice that, re-encoded.
            return Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(result.Response, MatrixJson.Options), "application/json");
        }).RequireAuthorization().AllowGuests();
    }
}
