using System.Data.Common;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// Room state snapshots as chains of deltas. Groups never change once written, so callers may cache them.
/// A chain is cut (a full snapshot written) once it grows long, bounding the cost of reading any group.
/// </summary>
public static class StateGroupStore
{
    private const int MaxChainLength = 64;

    private const string SelectChain = """
        WITH RECURSIVE chain(g, depth) AS (
            SELECT CAST(@Group AS BIGINT), 0
            UNION ALL
            SELECT sg.prev_group, chain.depth + 1 FROM state_groups sg JOIN chain ON sg.state_group = chain.g WHERE sg.prev_group IS NOT NULL
        )
        SELECT e.event_type AS Type, e.state_key AS Key, e.event_id AS EventId, chain.depth AS Depth
        FROM chain JOIN state_group_entries e ON e.state_group = chain.g
        ORDER BY chain.depth DESC
        """;
    private const string SelectLength = "SELECT chain_length FROM state_groups WHERE state_group = @Group";
    private const string InsertGroup = "INSERT INTO state_groups (state_group, room_id, prev_group, chain_length) VALUES (@Group, @RoomId, @Prev, @Length)";
    private const string InsertEntry = "INSERT INTO state_group_entries (state_group, event_type, state_key, event_id) VALUES (@Group, @Type, @Key, @EventId)";

    // A class rather than a positional record: the engines type the recursion depth differently (int4 vs int64).
    private sealed class Entry
    {
        public string Type { get; set; } = "";
        public string Key { get; set; } = "";
        public string EventId { get; set; } = "";
        public long Depth { get; set; }
    }

    public static async Task<Dictionary<StateEventKey, string>> LoadAsync(DbConnection c, long group, CancellationToken ct, DbTransaction? tx = null)
    {
        var state = new Dictionary<StateEventKey, string>();
        // Oldest delta first, so later groups override earlier ones.
        foreach (var e in await c.ListAsync<Entry>(SelectChain, new { Group = group }, ct, tx))
            state[new StateEventKey(e.Type, e.Key)] = e.EventId;
        return state;
    }

    /// <summary>Writes the group that is <paramref name="prev"/> with <paramref name="changes"/> applied.</summary>
    public static async Task<long> CreateAsync(StreamTransaction st, string roomId, long? prev,
        IReadOnlyDictionary<StateEventKey, string> changes, CancellationToken ct)
    {
        var (c, tx) = (st.Connection, st.Transaction);
        var group = await st.NextAsync(StreamNames.StateGroups, ct);
        var length = prev is { } p ? await c.ScalarAsync<long>(SelectLength, new { Group = p }, ct, tx) + 1 : 0;
        IReadOnlyDictionary<StateEventKey, string> entries = changes;
        if (length > MaxChainLength)
        {
            var full = await LoadAsync(c, prev!.Value, ct, tx);
            foreach (var (k, v) in changes)
                full[k] = v;
            entries = full;
            prev = null;
            length = 0;
        }
        await c.RunAsync(InsertGroup, new { Group = group, RoomId = roomId, Prev = prev, Length = length }, ct, tx);
        foreach (var (k, eventId) in entries)
            await c.RunAsync(InsertEntry, new { Group = group, k.Type, Key = k.StateKey, EventId = eventId }, ct, tx);
        return group;
    }
}
