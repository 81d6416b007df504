using ClientApi.Account;
using Homeserver.Core.Accounts.Sso;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.E2ee;
using Homeserver.Core.Errors;
using Homeserver.Core.Sync;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Keys;

/// <summary>Device keys, one-time keys, device-list changes and cross-signing.</summary>
public static class KeysEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // Guests take part in end-to-end encryption (spec guest access module), all but cross-signing, as in Synapse.
        var g = v3.MapGroup("/keys").RequireAuthorization().AllowGuests();

        // POST /_matrix/client/v3/keys/upload
        g.MapPost("/upload", async (HttpContext ctx, DeviceKeysService keys, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            return Json(await keys.UploadAsync(r.UserId, r.RequireDevice(), await JsonBody.ReadObjectAsync(ctx.Request, ct), ct));
        });

        // POST /_matrix/client/v3/keys/query
        g.MapPost("/query", async (HttpContext ctx, DeviceKeysService keys, CancellationToken ct) =>
            Json(await keys.QueryAsync(ctx.GetRequester().UserId, await JsonBody.ReadObjectAsync(ctx.Request, ct), ct)));

        // POST /_matrix/client/v3/keys/claim
        g.MapPost("/claim", async (HttpContext ctx, DeviceKeysService keys, CancellationToken ct) =>
            Json(await keys.ClaimAsync(await JsonBody.ReadObjectAsync(ctx.Request, ct), ct)));

        // GET /_matrix/client/v3/keys/changes
        g.MapGet("/changes", async (HttpContext ctx, string? from, string? to, KeyChangesService changes, CancellationToken ct) =>
        {
            if (from is null || to is null)
                throw MatrixException.MissingParam("from and to are required");
            return Json(await changes.BetweenAsync(ctx.GetRequester().UserId, from, to, ct));
        });

        MapCrossSigning(g);
    }

    /// <summary>
    /// Cross-signing uploads are also served at their pre-v1.1 unstable paths, where Synapse still serves them and
    /// SyTest calls them.
    /// </summary>
    public static void MapUnstable(IEndpointRouteBuilder app) =>
        MapCrossSigning(app.MapGroup("/_matrix/client/unstable/keys").RequireAuthorization().AllowGuests());

    private static void MapCrossSigning(RouteGroupBuilder g)
    {
        // POST /_matrix/client/v3/keys/device_signing/upload
        g.MapPost("/device_signing/upload", async (HttpContext ctx, CrossSigningService crossSigning, UiaService uia, SsoService sso, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var upload = await crossSigning.PrepareSigningKeysAsync(r.UserId, body, ct);
            if (upload.RequiresAuth)
                await uia.AuthenticateAsync(UiaOperation.For("POST", "/keys/device_signing/upload", r.UserId, body), body, await sso.UiaFlowsAsync(r.UserId, ct), ct);
            await crossSigning.CommitSigningKeysAsync(upload, ct);
            return Results.Ok(new { });
        }).DenyGuests();

        // POST /_matrix/client/v3/keys/signatures/upload
        g.MapPost("/signatures/upload", async (HttpContext ctx, CrossSigningService crossSigning, CancellationToken ct) =>
            Json(await crossSigning.UploadSignaturesAsync(ctx.GetRequester().UserId, await JsonBody.ReadObjectAsync(ctx.Request, ct), ct)));
    }

    internal static IResult Json(System.Text.Json.Nodes.JsonObject body) => Results.Text(body.ToJsonString(MatrixJson.Options), "application/json");
}
