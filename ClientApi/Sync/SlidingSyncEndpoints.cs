using System.Text.Json;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Connections;
using Homeserver.Core.Errors;
using Homeserver.Core.Presence;
using Homeserver.Core.SlidingSync;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Sync;

/// <summary>Simplified sliding sync (MSC4186) at the unstable path Element X, matrix-rust-sdk and matrix-js-sdk call (docs/sync.md).</summary>
public static class SlidingSyncEndpoints
{
    /// <summary>The <c>/versions</c> unstable feature clients look for before using the endpoint.</summary>
    public const string UnstableFeature = "org.matrix.simplified_msc3575";

    public static void Map(IEndpointRouteBuilder app)
    {
        // POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync
        app.MapPost($"/_matrix/client/unstable/{UnstableFeature}/sync", async (HttpContext ctx, string? pos, string? timeout, string? set_presence,
            SlidingSyncService slidingSync, SessionValidator sessions, SyncConnectionTracker connections, PresenceService presence, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            if (set_presence is not null && !PresenceService.IsState(set_presence))
                throw MatrixException.InvalidParam("set_presence must be one of online, unavailable, offline");
            var wait = LongPollTimeout.Parse(timeout);
            var request = SlidingSyncRequestParser.Parse(r.UserId, r.DeviceId, await JsonBody.ReadObjectAsync(ctx.Request, ct));
            using var live = connections.Begin(r.UserId, r.DeviceId, webSocket: false);
            await presence.OnSyncAsync(r.UserId, set_presence, ct);
            var response = await slidingSync.SyncAsync(request, pos, wait, ct, () => r.IsLiveAsync(sessions, ct));
            return Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(response, MatrixJson.Options), "application/json");
        }).RequireAuthorization();
    }
}
