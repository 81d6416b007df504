using System.Text.Json;
using ClientApi.Account;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Sso;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Devices;

public static class DeviceEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // Guests list and rename their devices (spec guest access module); deleting one needs a password they lack.
        var g = v3.MapGroup("").RequireAuthorization().AllowGuests();

        // GET /_matrix/client/v3/devices
        g.MapGet("/devices", async (HttpContext ctx, DeviceService devices, CancellationToken ct) =>
            Results.Ok(new { devices = (await devices.ListAsync(ctx.GetRequester().UserId, ct)).Select(ToWire) }));

        // GET /_matrix/client/v3/devices/{deviceId}
        g.MapGet("/devices/{deviceId}", async (string deviceId, HttpContext ctx, DeviceService devices, CancellationToken ct) =>
            Results.Ok(ToWire(await devices.GetAsync(ctx.GetRequester().UserId, deviceId, ct))));

        // PUT /_matrix/client/v3/devices/{deviceId}
        g.MapPut("/devices/{deviceId}", async (string deviceId, HttpContext ctx, DeviceService devices, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            string? name = null;
            if (body.TryGetProperty("display_name", out var n))
                name = n.ValueKind switch
                {
                    JsonValueKind.String => n.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw MatrixException.BadJson("display_name must be a string"),
                };
            await devices.RenameAsync(ctx.GetRequester().UserId, deviceId, name, ct);
            return Results.Ok(new { });
        });

        // DELETE /_matrix/client/v3/devices/{deviceId}
        // Deleting a device that is already gone succeeds too: the spec makes the call idempotent.
        g.MapDelete("/devices/{deviceId}", async (string deviceId, HttpContext ctx, UiaService uia, SsoService sso, SessionService sessions, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            await uia.AuthenticateAsync(UiaOperation.For("DELETE", "/devices/" + deviceId, r.UserId, body), body, await sso.UiaFlowsAsync(r.UserId, ct), ct);
            await sessions.DeleteDevicesAsync(r.UserId, [deviceId], ct);
            return Results.Ok(new { });
        }).DenyGuests();

        // POST /_matrix/client/v3/delete_devices
        g.MapPost("/delete_devices", async (HttpContext ctx, UiaService uia, SsoService sso, SessionService sessions, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            if (!body.TryGetProperty("devices", out var list) || list.ValueKind != JsonValueKind.Array)
                throw MatrixException.MissingParam("Missing devices");
            var ids = list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw MatrixException.BadJson("devices must be strings")).ToList();
            await uia.AuthenticateAsync(UiaOperation.For("POST", "/delete_devices", r.UserId, body), body, await sso.UiaFlowsAsync(r.UserId, ct), ct);
            await sessions.DeleteDevicesAsync(r.UserId, ids, ct);
            return Results.Ok(new { });
        }).DenyGuests();
    }

    private static object ToWire(DeviceRecord d) => new
    {
        device_id = d.DeviceId,
        display_name = d.DisplayName,
        last_seen_ip = d.LastSeenIp,
        last_seen_ts = d.LastSeenTs,
    };
}
