using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Observability;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// The members of a room at a state snapshot, with their display names. Snapshots never change, so the list is
/// cached by snapshot: every event sent needs it twice (whose push rules to run, and whose syncs to wake), and a
/// message changes no membership, so consecutive messages share one list.
/// </summary>
public sealed class SnapshotMembers(StateService state, EventStore events, IMemoryCache cache)
{
    private static readonly MemoryCacheEntryOptions Entry = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };
    private static readonly CacheCounter Counter = new("snapshot_members");

    public sealed record Member(string UserId, string Membership, string? DisplayName);

    public async Task<IReadOnlyList<Member>> AtAsync(long group, CancellationToken ct)
    {
        if (Counter.Found(cache.TryGetValue(("snapshot_members", group), out IReadOnlyList<Member>? cached)))
            return cached!;
        var snapshot = await state.GetGroupAsync(group, ct);
        var ids = snapshot.Where(kv => kv.Key.Type == EventTypes.Member).Select(kv => kv.Value).ToList();
        var rows = await events.GetManyAsync(ids, ct);
        var members = new List<Member>(rows.Count);
        foreach (var row in rows.Values)
        {
            var content = JsonNode.Parse(row.Json)?["content"];
            members.Add(new Member(row.StateKey ?? "", JsonFields.String(content, "membership") ?? "", JsonFields.String(content, "displayname")));
        }
        cache.Set(("snapshot_members", group), (IReadOnlyList<Member>)members, Entry);
        return members;
    }
}
