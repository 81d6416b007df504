using System.Text.Json.Nodes;
using Homeserver.Http.FederationAuth;
using Homeserver.Core.E2ee;
using Homeserver.Core.Identifiers;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Query;

/// <summary>Our users' devices and keys for other servers whose users share rooms with them (end-to-end encryption).</summary>
public static class UserKeysEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        // POST /_matrix/federation/v1/user/keys/query — device, master and self-signing keys of our users.
        v1.MapPost("/user/keys/query", async (HttpContext ctx, DeviceKeysService keys, CancellationToken ct) =>
        {
            _ = ctx.GetFederationOrigin();
            return Json(await keys.QueryForServerAsync(await JsonBody.ReadObjectAsync(ctx.Request, ct), ct));
        });

        // POST /_matrix/federation/v1/user/keys/claim — one one-time (or fallback) key per device asked for.
        v1.MapPost("/user/keys/claim", async (HttpContext ctx, DeviceKeysService keys, CancellationToken ct) =>
        {
            _ = ctx.GetFederationOrigin();
            return Json(await keys.ClaimForServerAsync(await JsonBody.ReadObjectAsync(ctx.Request, ct), ct));
        });

        // GET /_matrix/federation/v1/user/devices/{userId} — a user's whole device list, for a server resyncing it.
        v1.MapGet("/user/devices/{userId}", async (string userId, HttpContext ctx, DeviceKeysService keys, CancellationToken ct) =>
        {
            _ = ctx.GetFederationOrigin();
            return Json(await keys.DeviceListForServerAsync(UserId.Parse(userId), ct));
        });
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(MatrixJson.Options), "application/json");
}
