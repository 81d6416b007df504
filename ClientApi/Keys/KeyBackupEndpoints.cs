using ClientApi.Rooms;
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
            Results.Ok(new { version = await backups.CreateVersionAsync(ctx.GetRequester().UserId, await JsonBody.ReadObjectAsync(ctx.Request, ct), ct) }));

        // GET /_matrix/client/v3/room_keys/version
        g.MapGet("/version", async (HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
            KeysEndpoints.Json(await backups.DescribeAsync(ctx.GetRequester().UserId, null, ct)));

        // GET /_matrix/client/v3/room_keys/version/{version}
        g.MapGet("/version/{backupVersion}", async (string backupVersion, HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
            KeysEndpoints.Json(await backups.DescribeAsync(ctx.GetRequester().UserId, backupVersion, ct)));

        // PUT /_matrix/client/v3/room_keys/version/{version}
        g.MapPut("/version/{backupVersion}", async (string backupVersion, HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
        {
            await backups.UpdateVersionAsync(ctx.GetRequester().UserId, backupVersion, await JsonBody.ReadObjectAsync(ctx.Request, ct), ct);
            return Results.Ok(new { });
        });

        // DELETE /_matrix/client/v3/room_keys/version/{version}
        g.MapDelete("/version/{backupVersion}", async (string backupVersion, HttpContext ctx, KeyBackupService backups, CancellationToken ct) =>
        {
            await backups.DeleteVersionAsync(ctx.GetRequester().UserId, backupVersion, ct);
            return Results.Ok(new { });
        });

        // PUT, GET, DELETE /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=
        g.MapPut("/keys", (HttpContext ctx, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) => PutAsync(ctx, b, version, null, null, ct));
        g.MapPut("/keys/{roomId}", (HttpContext ctx, string roomId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) => PutAsync(ctx, b, version, roomId, null, ct));
        g.MapPut("/keys/{roomId}/{sessionId}", (HttpContext ctx, string roomId, string sessionId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) => PutAsync(ctx, b, version, roomId, sessionId, ct));
        g.MapGet("/keys", async (HttpContext ctx, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.GetKeysAsync(ctx.GetRequester().UserId, version, null, null, ct)));
        g.MapGet("/keys/{roomId}", async (HttpContext ctx, string roomId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.GetKeysAsync(ctx.GetRequester().UserId, version, roomId, null, ct)));
        g.MapGet("/keys/{roomId}/{sessionId}", async (HttpContext ctx, string roomId, string sessionId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.GetKeysAsync(ctx.GetRequester().UserId, version, roomId, sessionId, ct)));
        g.MapDelete("/keys", async (HttpContext ctx, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.DeleteKeysAsync(ctx.GetRequester().UserId, version, null, null, ct)));
        g.MapDelete("/keys/{roomId}", async (HttpContext ctx, string roomId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.DeleteKeysAsync(ctx.GetRequester().UserId, version, roomId, null, ct)));
        g.MapDelete("/keys/{roomId}/{sessionId}", async (HttpContext ctx, string roomId, string sessionId, [FromQuery] string? version, KeyBackupService b, CancellationToken ct) =>
            KeysEndpoints.Json(await b.DeleteKeysAsync(ctx.GetRequester().UserId, version, roomId, sessionId, ct)));
    }

    private static async Task<IResult> PutAsync(HttpContext ctx, KeyBackupService backups, string? version, string? roomId, string? sessionId, CancellationToken ct)
    {
        var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
        return KeysEndpoints.Json(await backups.PutKeysAsync(ctx.GetRequester().UserId, version, roomId is null ? null : RoomPaths.RoomId(roomId), sessionId, body, ct));
    }
}
