using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Push.Rules;

namespace Homeserver.Core.Sync.Providers;

/// <summary><c>account_data</c>: the user's global account data changed in the window, and the push rules on an initial sync.</summary>
public sealed class AccountDataSyncProvider(PushRuleService pushRules) : ISyncProvider
{
    public async Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct)
    {
        var filter = ctx.Filter.AccountData;
        var global = new JsonArray((await ctx.AccountDataChangesAsync(ct))
            .Where(d => d.RoomId == "" && filter.Matches(d.DataType, null) && !(ctx.Initial && d.DataType == PushRuleService.AccountDataType))
            .Take(filter.Limit ?? int.MaxValue).Select(d => (JsonNode)Event(d)).ToArray());
        // Clients read their push rules from here, so an initial sync always carries the current set, changed or not.
        if (ctx.Initial && filter.Matches(PushRuleService.AccountDataType, null))
            global.Add(new JsonObject
            {
                ["type"] = PushRuleService.AccountDataType,
                ["content"] = PushRuleService.AccountDataContent(await pushRules.GetAsync(ctx.UserId, ct)),
            });
        response["account_data"] = new JsonObject { ["events"] = global };
        return global.Count > 0;
    }

    /// <summary>An account data entry as the event a sync response carries, global or in a room's section.</summary>
    public static JsonObject Event(AccountDataStore.Entry d) =>
        new() { ["type"] = d.DataType, ["content"] = JsonNode.Parse(d.Content) };
}
