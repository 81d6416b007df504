using System.Text.Json;
using System.Text.Json.Nodes;
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
        // One route for every /_matrix/client/v3/pushrules path: PushRulePath reads the path as Synapse does.
        var g = v3.MapGroup("/pushrules").RequireAuthorization();

        g.MapGet("/{**path}", async (HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
        {
            var path = PushRulePath.Of(ctx.Request);
            var userId = ctx.GetRequester().UserId;
            if (path.Target is PushRuleTarget.All or PushRuleTarget.Scope or PushRuleTarget.Kind)
            {
                var set = await rules.GetAsync(userId, ct);
                return Json(path.Target switch
                {
                    PushRuleTarget.All => PushRuleService.AccountDataContent(set),
                    PushRuleTarget.Scope => set.ToJson(),
                    _ => set.ToJson(path.Kind),
                });
            }
            var rule = await rules.GetRuleAsync(userId, path.Kind, path.RuleId, ct);
            return Json(path.Target switch
            {
                PushRuleTarget.Enabled => new JsonObject { ["enabled"] = rule.Enabled },
                PushRuleTarget.Actions => new JsonObject { ["actions"] = rule.Actions.DeepClone() },
                _ => rule.ToJson(),
            });
        });

        g.MapPut("/{**path}", async (string? before, string? after, HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
        {
            var path = PushRulePath.Of(ctx.Request);
            var userId = ctx.GetRequester().UserId;
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            switch (path.Target)
            {
                case PushRuleTarget.Rule:
                    await rules.PutAsync(userId, path.Kind, path.RuleId, body, before, after, ct);
                    break;
                case PushRuleTarget.Enabled:
                    if (!body.TryGetProperty("enabled", out var enabled))
                        throw MatrixException.MissingParam("'enabled' is required");
                    if (enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        throw MatrixException.BadJson("'enabled' must be a boolean");
                    await rules.SetEnabledAsync(userId, path.Kind, path.RuleId, enabled.GetBoolean(), ct);
                    break;
                case PushRuleTarget.Actions:
                    if (!body.TryGetProperty("actions", out var actions))
                        throw MatrixException.MissingParam("'actions' is required");
                    await rules.SetActionsAsync(userId, path.Kind, path.RuleId, PushActions.FromClient(actions), ct);
                    break;
                default:
                    throw PushRulePath.Unrecognized("Only a rule, its 'enabled' or its 'actions' can be set");
            }
            return Results.Ok(new { });
        });

        g.MapDelete("/{**path}", async (HttpContext ctx, PushRuleService rules, CancellationToken ct) =>
        {
            var path = PushRulePath.Of(ctx.Request);
            if (path.Target != PushRuleTarget.Rule)
                throw PushRulePath.Unrecognized("Only a rule can be deleted");
            await rules.DeleteAsync(ctx.GetRequester().UserId, path.Kind, path.RuleId, ct);
            return Results.Ok(new { });
        });
    }

    private static IResult Json(JsonNode json) => Results.Text(json.ToJsonString(MatrixJson.Options), "application/json");
}
