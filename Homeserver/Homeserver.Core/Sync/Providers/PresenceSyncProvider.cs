using System.Text.Json.Nodes;
using Homeserver.Core.Presence;

namespace Homeserver.Core.Sync.Providers;

/// <summary><c>presence</c>: the presence changes of the user and of everyone sharing a room with them.</summary>
public sealed class PresenceSyncProvider(PresenceService presence) : ISyncProvider
{
    public async Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct)
    {
        var filter = ctx.Filter.Presence;
        var events = (await presence.ChangedForAsync(ctx.UserId, ctx.FullState ? 0 : ctx.Since?.Presence ?? 0, ctx.Upto.Presence, ct))
            .Where(e => filter.Matches("m.presence", (string?)e["sender"]))
            .Take(filter.Limit ?? int.MaxValue).ToList();
        response["presence"] = new JsonObject { ["events"] = new JsonArray(events.Select(e => (JsonNode)e).ToArray()) };
        return events.Count > 0;
    }
}
