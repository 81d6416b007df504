using System.Text.Json.Nodes;
using Homeserver.Core.Presence;

namespace Homeserver.Core.Sync.Providers;

/// <summary>
/// <c>presence</c>: the presence changes of the user and of everyone sharing a room with them, and the presence of
/// those who came to share a room with them since the token.
/// </summary>
public sealed class PresenceSyncProvider(PresenceService presence) : ISyncProvider
{
    public async Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct)
    {
        var filter = ctx.Filter.Presence;
        var changed = await presence.ChangedForAsync(ctx.UserId, ctx.FullState ? 0 : ctx.Since?.Presence ?? 0, ctx.Upto.Presence, ct);
        // Someone who newly shares a room with the user is news even when their presence did not change (as Synapse).
        var sent = changed.Select(e => (string?)e["sender"]).ToHashSet();
        var newlyShared = ctx.NewlySharedWith.Where(u => !sent.Contains(u)).ToList();
        var events = changed.Concat(await presence.CurrentOfAsync(newlyShared, ct))
            .Where(e => filter.Matches("m.presence", (string?)e["sender"]))
            .Take(filter.Limit ?? int.MaxValue).ToList();
        response["presence"] = new JsonObject { ["events"] = new JsonArray(events.Select(e => (JsonNode)e).ToArray()) };
        return events.Count > 0;
    }
}
