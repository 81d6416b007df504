using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Admin.Users;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Http.Admin;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's admin API for an account's devices, and a session opened for the user by an admin.</summary>
public static class AdminDeviceEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        // GET /_synapse/admin/v2/users/{userId}/devices
        admin.MapGet("/v2/users/{userId}/devices", async (string userId, UserDeviceAdminService devices, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var list = await devices.ListAsync(target, ct);
            return Results.Ok(new { devices = list.Select(Describe), total = list.Count });
        });

        // POST /_synapse/admin/v2/users/{userId}/devices: a device with no session yet.
        admin.MapPost("/v2/users/{userId}/devices", async (string userId, HttpContext ctx, UserDeviceAdminService devices, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var deviceId = AdminBody.String(body, "device_id");
            if (!deviceId.IsSet || deviceId.Value.Length == 0)
                throw MatrixException.MissingParam("Missing param device_id");
            await devices.CreateAsync(target, deviceId.Value, null, ct);
            return Results.Json(new { }, statusCode: StatusCodes.Status201Created);
        });

        // GET /_synapse/admin/v2/users/{userId}/devices/{deviceId}
        admin.MapGet("/v2/users/{userId}/devices/{deviceId}", async (string userId, string deviceId, UserDeviceAdminService devices, CancellationToken ct) =>
            Results.Ok(Describe(await devices.GetAsync(UserId.Parse(userId), deviceId, ct))));

        // PUT /_synapse/admin/v2/users/{userId}/devices/{deviceId}
        admin.MapPut("/v2/users/{userId}/devices/{deviceId}", async (string userId, string deviceId, HttpContext ctx, UserDeviceAdminService devices, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var name = AdminBody.NullableString(body, "display_name");
            await devices.RenameAsync(target, deviceId, name.IsSet ? name.Value : null, ct);
            return Results.Ok(new { });
        });

        // DELETE /_synapse/admin/v2/users/{userId}/devices/{deviceId}
        admin.MapDelete("/v2/users/{userId}/devices/{deviceId}", async (string userId, string deviceId, UserDeviceAdminService devices, CancellationToken ct) =>
        {
            await devices.DeleteAsync(UserId.Parse(userId), [deviceId], ct);
            return Results.Ok(new { });
        });

        // POST /_synapse/admin/v2/users/{userId}/delete_devices
        admin.MapPost("/v2/users/{userId}/delete_devices", async (string userId, HttpContext ctx, UserDeviceAdminService devices, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            if (!body.TryGetProperty("devices", out var list) || list.ValueKind != JsonValueKind.Array
                || list.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
                throw MatrixException.InvalidParam("'devices' must be a list of device IDs");
            await devices.DeleteAsync(target, list.EnumerateArray().Select(d => d.GetString()!).ToList(), ct);
            return Results.Ok(new { });
        });

        // POST /_synapse/admin/v1/users/{userId}/login
        admin.MapPost("/v1/users/{userId}/login", async (string userId, HttpContext ctx, UserDeviceAdminService devices, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            if (AdminBody.NullableLong(body, "valid_until_ms") is { IsSet: true, Value: not null })
                throw new MatrixException(400, ErrorCodes.Unrecognized, "valid_until_ms is not supported: the session lasts until the user or an admin ends its device");
            var session = await devices.LoginAsAsync(ctx.GetRequester().UserId, target, ctx.GetClientInfo(), ct);
            return Results.Ok(new { access_token = session.AccessToken });
        });
    }

    private static Dictionary<string, object?> Describe(DeviceRecord d) => new()
    {
        ["device_id"] = d.DeviceId,
        ["display_name"] = d.DisplayName,
        ["last_seen_ip"] = d.LastSeenIp,
        ["last_seen_ts"] = d.LastSeenTs,
        ["last_seen_user_agent"] = d.LastSeenUserAgent,
        ["user_id"] = d.UserId,
    };
}
