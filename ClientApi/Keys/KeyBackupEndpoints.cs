using Homeserver.Core.E2ee.Backup;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Keys;

/// <summary>Server-side room-key backups: versions, and keys at the levels of all rooms, one room and one session.</summary>
public static class KeyBackupEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // The client API group already has a {version} route value (v3 or r0), so the backup version is named apart.
        var g = v3.MapGroup("/room_keys").RequireAuthorization();

        // POST /_matrix/client/v3/room_keys/version
        g.MapPost("/version", async (HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
            Results.Ok(new { version = await backups.CreateVersionAsync(ctx.GetRequester().UserId.ToString(), await JsonBody.ReadObjectAsync(ctx.Request, ct), ct) }));

        // GET /_matrix/client/v3/room_keys/version
        g.MapGet("/version", async (HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
            KeysEndpoints.Json(await backups.DescribeAsync(ctx.GetRequester().UserId.ToString(), null, ct)));

        // GET /_matrix/client/v3/room_keys/version/{version}
        g.MapGet("/version/{backupVersion}", async (string backupVersion, HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
            KeysEndpoints.Json(await backups.DescribeAsync(ctx.GetRequester().UserId.ToString(), backupVersion, ct)));

        // PUT /_matrix/client/v3/room_keys/version/{version}
        g.MapPut("/version/{backupVersion}", async (string backupVersion, HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
        {
            await backups.UpdateVersionAsync(ctx.GetRequester().UserId.ToString(), backupVersion, await JsonBody.ReadObjectAsync(ctx.Request, ct), ct);
            return Results.Ok(new { });
        });

        // DELETE /_matrix/client/v3/room_keys/version/{version}
        g.MapDelete("/version/{backupVersion}", async (string backupVersion, HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
        {
            await backups.DeleteVersionAsync(ctx.GetRequester().UserId.ToString(), backupVersion, ct);
            return Results.Ok(new { });
        });

        // PUT, GET, DELETE /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=
        g.MapPut("/keys", (HttpContext ctx, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) => PutAsync(ctx, b, version, null, null, ct));
        g.MapPut("/keys/{roomId}", (HttpContext ctx, string roomId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) => PutAsync(ctx, b, version, roomId, null, ct));
        g.MapPut("/keys/{roomId}/{sessionId}", (HttpContext ctx, string roomId, string sessionId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) => PutAsync(ctx, b, version, roomId, sessionId, ct));
        g.MapGet("/keys", async (HttpContext ctx, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.GetKeysAsync(ctx.GetRequester().UserId.ToString(), version, null, null, ct)));
        g.MapGet("/keys/{roomId}", async (HttpContext ctx, string roomId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.GetKeysAsync(ctx.GetRequester().UserId.ToString(), version, roomId, null, ct)));
        g.MapGet("/keys/{roomId}/{sessionId}", async (HttpContext ctx, string roomId, string sessionId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.GetKeysAsync(ctx.GetRequester().UserId.ToString(), version, roomId, sessionId, ct)));
        g.MapDelete("/keys", async (HttpContext ctx, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.DeleteKeysAsync(ctx.GetRequester().UserId.ToString(), version, null, null, ct)));
        g.MapDelete("/keys/{roomId}", async (HttpContext ctx, string roomId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.DeleteKeysAsync(ctx.GetRequester().UserId.ToString(), version, roomId, null, ct)));
        g.MapDelete("/keys/{roomId}/{sessionId}", async (HttpContext ctx, string roomId, string sessionId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.DeleteKeysAsync(ctx.GetRequester().UserId.ToString(), version, roomId, sessionId, ct)));
    }

    private static async Task<IResult> PutAsync(HttpContext ctx, KeyBackupService backups, string? version, string? roomId, string? sessionId, CancellationToken ct) =>
        KeysEndpoints.Json(await backups.PutKeysAsync(ctx.GetRequester().UserId.ToString(), version, roomId, sessionId, await JsonBody.ReadObjectAsync(ctx.Request, ct), ct));
}
