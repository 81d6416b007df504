using System.Globalization;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Errors;
using Homeserver.Core.Filters;
using Homeserver.Core.Sync;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Sync;

public static class SyncEndpoints
{
    /// <summary>Long polls are held at most this long, whatever the client asks, so proxies and clients see regular answers.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/sync
        v3.MapGet("/sync", async (HttpContext ctx, string? since, string? timeout, string? full_state, string? filter,
            SyncService sync, FilterStore filters, SessionValidator sessions, SyncConnectionTracker connections, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            // The same endpoint upgrades to a WebSocket that pushes every sync result (docs/websocket-sync.md).
            if (ctx.WebSockets.IsWebSocketRequest)
            {
                var initialFilter = await ResolveFilterAsync(r.UserId, filter, filters, ct);
                var initialSince = since is null ? (SyncToken?)null : SyncToken.Parse(since);
                using var socket = await ctx.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
                {
                    KeepAliveInterval = TimeSpan.FromSeconds(20),
                    KeepAliveTimeout = TimeSpan.FromSeconds(40),
                });
                using (connections.Begin(r.UserId, r.DeviceId, webSocket: true))
                    await new WebSocketSyncSession(socket, r, sync, sessions).RunAsync(initialSince, initialFilter, ct);
                return Results.Empty;
            }
            var token = since is null ? (SyncToken?)null : SyncToken.Parse(since);
            var wait = timeout is null ? TimeSpan.Zero
                : long.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                    ? TimeSpan.FromMilliseconds(Math.Min(ms, MaxTimeout.TotalMilliseconds))
                    : throw MatrixException.InvalidParam("timeout must be a non-negative number of milliseconds");
            var syncFilter = await ResolveFilterAsync(r.UserId, filter, filters, ct);
            using var live = connections.Begin(r.UserId, r.DeviceId, webSocket: false);
            var result = await sync.SyncAsync(new SyncService.SyncRequest(r.UserId, r.DeviceId, token, syncFilter, full_state == "true"), wait, ct,
                () => sessions.IsLiveAsync(r.SessionId, ct));
            return Results.Text(result.Response.ToJsonString(MatrixJson.Options), "application/json");
        }).RequireAuthorization();
    }

    /// <summary>The <c>filter</c> parameter is either inline JSON (as matrix-js-sdk sends first) or a stored filter's ID.</summary>
    private static async Task<SyncFilter> ResolveFilterAsync(string userId, string? filter, FilterStore filters, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(filter))
            return SyncFilter.Default;
        if (filter.TrimStart().StartsWith('{'))
            return SyncFilter.FromJson(filter);
        if (!long.TryParse(filter, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw MatrixException.InvalidParam("filter must be a filter ID or a JSON filter");
        var stored = await filters.GetAsync(userId, id, ct) ?? throw MatrixException.NotFound("Unknown filter ID");
        return SyncFilter.FromJson(stored);
    }
}
