using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// The answer to <c>send_join</c> v2: the room's state before the join, the auth chain of that state and of the join,
/// the join as we stored it, and the servers in the room. With <c>omit_members</c> the state leaves out membership
/// events but those of the room's heroes (when it has neither name nor canonical alias, so the joining server can
/// name it), and the auth chain leaves out what the state already holds.
/// </summary>
public sealed class JoinResponseBuilder(StateService state, Configuration.ServerIdentity server)
{
    private const int Heroes = 5;

    public async Task<JsonObject> BuildAsync(SendMembershipService.Accepted join, bool omitMembers, CancellationToken ct)
    {
        var version = join.Event.RoomVersion;
        var before = join.Row.StateGroupBefore is { } g ? await state.GetGroupAsync(g, ct) : new Dictionary<StateEventKey, string>();
        var joined = new SortedSet<string>(StringComparer.Ordinal);
        var stateEvents = new List<Pdu>();
        var heroes = omitMembers && !before.Keys.Any(k => k.Type is "m.room.name" or "m.room.canonical_alias" && k.StateKey == "")
            ? before.Where(kv => kv.Key.Type == EventTypes.Member).Select(kv => kv.Key.StateKey)
                .Where(u => u != join.Event.Sender.ToString()).Order(StringComparer.Ordinal).Take(Heroes).ToHashSet()
            : [];
        foreach (var (k, id) in before)
        {
            var ev = await state.GetEventAsync(id, version, ct) ?? throw new InvalidOperationException($"State event {id} is not stored");
            if (k.Type == EventTypes.Member)
            {
                if (Json.JsonFields.String(ev.Content, "membership") == "join" && UserId.TryParse(k.StateKey, out var member))
                    joined.Add(member.Value.ServerName);
                if (omitMembers && !heroes.Contains(k.StateKey))
                    continue;
            }
            stateEvents.Add(ev);
        }
        var inState = omitMembers ? stateEvents.Select(e => e.EventId).ToHashSet() : [];
        var chain = await AuthChainAsync([.. stateEvents, join.Event], version, ct);
        return new JsonObject
        {
            ["origin"] = server.ServerName,
            ["state"] = new JsonArray(stateEvents.Select(e => (JsonNode)e.Json.DeepClone()).ToArray()),
            ["auth_chain"] = new JsonArray(chain.Where(e => !inState.Contains(e.EventId)).Select(e => (JsonNode)e.Json.DeepClone()).ToArray()),
            ["event"] = join.Event.Json.DeepClone(),
            ["members_omitted"] = omitMembers,
            ["servers_in_room"] = new JsonArray(joined.Select(s => (JsonNode)s).ToArray()),
        };
    }

    /// <summary>Every event reachable through <c>auth_events</c> from <paramref name="from"/>, not counting those themselves unless reached.</summary>
    private async Task<IReadOnlyList<Pdu>> AuthChainAsync(IReadOnlyList<Pdu> from, RoomVersion version, CancellationToken ct)
    {
        var seen = new Dictionary<EventId, Pdu>();
        var queue = new Queue<EventId>(from.SelectMany(e => e.AuthEvents));
        while (queue.TryDequeue(out var id))
        {
            if (seen.ContainsKey(id) || await state.GetEventAsync(id.ToString(), version, ct) is not { } ev)
                continue;
            seen[id] = ev;
            foreach (var next in ev.AuthEvents)
                queue.Enqueue(next);
        }
        return [.. seen.Values];
    }
}
