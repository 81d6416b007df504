using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Push.Pushers;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Push;

public static class PusherEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/pushers
        v3.MapGet("/pushers", async (HttpContext ctx, PusherService pushers, CancellationToken ct) =>
            Results.Ok(new { pushers = (await pushers.ListAsync(ctx.GetRequester().UserId, ct)).Select(Describe) })).RequireAuthorization();

        // POST /_matrix/client/v3/pushers/set
        v3.MapPost("/pushers/set", async (HttpContext ctx, PusherService pushers, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var r = ctx.GetRequester();
            Require(body, "kind", "app_id", "pushkey");
            var appId = Text(body, "app_id")!;
            var pushkey = Text(body, "pushkey")!;
            var kind = Text(body, "kind");
            if (kind is null)
            {
                await pushers.DeleteAsync(r.UserId, appId, pushkey, ct);
                return Results.Ok(new { });
            }
            Require(body, "app_display_name", "device_display_name", "lang", "data");
            if (body.GetProperty("data").ValueKind != JsonValueKind.Object)
                throw MatrixException.InvalidParam("data must be an object");
            var append = body.TryGetProperty("append", out var a) && a.ValueKind != JsonValueKind.Null
                ? a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : throw MatrixException.InvalidParam("append must be a boolean")
                : false;
            var request = new PusherRequest(kind, appId, pushkey, Text(body, "app_display_name")!, Text(body, "device_display_name")!,
                Text(body, "profile_tag"), Text(body, "lang")!, JsonNode.Parse(body.GetProperty("data").GetRawText())!.AsObject(), append);
            // MSC4174: 201 says a Web Push pusher is set but waits for activation.
            return await pushers.SetAsync(r.UserId, r.DeviceId, request, ct)
                ? Results.Json(new { }, statusCode: StatusCodes.Status201Created)
                : Results.Ok(new { });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/pushers/ack (MSC4174)
        v3.MapPost("/pushers/ack", async (HttpContext ctx, PusherService pushers, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            Require(body, "app_id", "ack_token");
            await pushers.AckAsync(ctx.GetRequester().UserId, Text(body, "app_id")!, Text(body, "ack_token")!, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();
    }

    internal static Dictionary<string, object?> Describe(PusherRecord p)
    {
        var d = new Dictionary<string, object?>
        {
            ["pushkey"] = p.Pushkey,
            ["kind"] = p.Kind,
            ["app_id"] = p.AppId,
            ["app_display_name"] = p.AppDisplayName,
            ["device_display_name"] = p.DeviceDisplayName,
            ["lang"] = p.Lang,
            ["data"] = JsonNode.Parse(p.Data),
        };
        if (p.ProfileTag is not null)
            d["profile_tag"] = p.ProfileTag;
        if (p.Kind == PusherRecord.WebPushKind)
            d["activated"] = p.Activated;
        return d;
    }

    /// <summary>Names every absent field at once, as the spec's example error does.</summary>
    private static void Require(JsonElement body, params string[] keys)
    {
        var missing = keys.Where(k => !body.TryGetProperty(k, out _)).ToList();
        if (missing.Count > 0)
            throw MatrixException.MissingParam("Missing parameters: " + string.Join(", ", missing));
    }

    /// <summary>A string field, null when it is absent or null; any other type is refused.</summary>
    private static string? Text(JsonElement body, string key) =>
        !body.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw MatrixException.InvalidParam($"{key} must be a string");
}
