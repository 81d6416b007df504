using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Push.Rules;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Push;

public static class PushRuleEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/pushrules").RequireAuthorization();

        // GET /_matrix/client/v3/pushrules/
        g.MapGet("/", async (HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
            Json(PushRuleService.AccountDataContent(await rules.GetAsync(ctx.GetRequester().UserId, ct))));

        // GET /_matrix/client/v3/pushrules/global/
        g.MapGet("/{scope}/", async (string scope, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
        {
            Scope(scope);
            return Json((await rules.GetAsync(ctx.GetRequester().UserId, ct)).ToJson());
        });

        // GET/PUT/DELETE /_matrix/client/v3/pushrules/global/{kind}/{ruleId}
        g.MapGet("/{scope}/{kind}/{ruleId}", async (string scope, string kind, string ruleId, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
            Json((await rules.GetRuleAsync(ctx.GetRequester().UserId, Kind(scope, kind), ruleId, ct)).ToJson()));
        g.MapPut("/{scope}/{kind}/{ruleId}", async (string scope, string kind, string ruleId, string? before, string? after, HttpContext ctx,
            PushRuleService rules, CancellationToken ct) =>
        {
            var k = Kind(scope, kind);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            await rules.PutAsync(ctx.GetRequester().UserId, k, ruleId, body, before, after, ct);
            return Results.Ok(new { });
        });
        g.MapDelete("/{scope}/{kind}/{ruleId}", async (string scope, string kind, string ruleId, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
        {
            await rules.DeleteAsync(ctx.GetRequester().UserId, Kind(scope, kind), ruleId, ct);
            return Results.Ok(new { });
        });

        // GET/PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled
        g.MapGet("/{scope}/{kind}/{ruleId}/enabled", async (string scope, string kind, string ruleId, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
            Results.Ok(new { enabled = (await rules.GetRuleAsync(ctx.GetRequester().UserId, Kind(scope, kind), ruleId, ct)).Enabled }));
        g.MapPut("/{scope}/{kind}/{ruleId}/enabled", async (string scope, string kind, string ruleId, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
        {
            var k = Kind(scope, kind);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            if (!body.TryGetProperty("enabled", out var enabled))
                throw MatrixException.MissingParam("'enabled' is required");
            if (enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw MatrixException.BadJson("'enabled' must be a boolean");
            await rules.SetEnabledAsync(ctx.GetRequester().UserId, k, ruleId, enabled.GetBoolean(), ct);
            return Results.Ok(new { });
        });

        // GET/PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions
        g.MapGet("/{scope}/{kind}/{ruleId}/actions", async (string scope, string kind, string ruleId, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
            Json(new System.Text.Json.Nodes.JsonObject
            {
                ["actions"] = (await rules.GetRuleAsync(ctx.GetRequester().UserId, Kind(scope, kind), ruleId, ct)).Actions.DeepClone(),
            }));
        g.MapPut("/{scope}/{kind}/{ruleId}/actions", async (string scope, string kind, string ruleId, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
        {
            var k = Kind(scope, kind);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            if (!body.TryGetProperty("actions", out var actions))
                throw MatrixException.MissingParam("'actions' is required");
            await rules.SetActionsAsync(ctx.GetRequester().UserId, k, ruleId, PushActions.FromClient(actions), ct);
            return Results.Ok(new { });
        });
    }

    private static IResult Json(System.Text.Json.Nodes.JsonObject json) => Results.Text(json.ToJsonString(MatrixJson.Options), "application/json");

    private static void Scope(string scope)
    {
        if (scope != "global")
            throw MatrixException.InvalidParam("The only push rule scope is 'global'");
    }

    private static PushRuleKind Kind(string scope, string kind)
    {
        Scope(scope);
        return PushRuleKinds.TryParse(kind, out var k) ? k : throw MatrixException.InvalidParam($"Unknown push rule kind '{kind}'");
    }
}
