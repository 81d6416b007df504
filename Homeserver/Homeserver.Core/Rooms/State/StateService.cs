using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Observability;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Caching.Memory;


namespace Homeserver.Core.Rooms.State;

/// <summary>
/// Reads room state at any snapshot and the events it names. Snapshots and events never change after they
/// are written, so both are cached by ID; history-visibility checks read them for every event they filter.
/// </summary>
public sealed class StateService(Database db, EventStore events, IMemoryCache cache)
{
    private static readonly MemoryCacheEntryOptions Entry = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };
    private static readonly CacheCounter StateGroups = new("state_group");
    private static readonly CacheCounter Events = new("pdu");

    public async Task<IReadOnlyDictionary<StateEventKey, string>> GetGroupAsync(long group, CancellationToken ct)
    {
        if (StateGroups.Found(cache.TryGetValue(("state_group", group), out IReadOnlyDictionary<StateEventKey, string>? state)))
            return state!;
        var loaded = await db.ReadAsync(c => StateGroupStore.LoadAsync(c, group, ct), ct);
        cache.Set(("state_group", group), (IReadOnlyDictionary<StateEventKey, string>)loaded, Entry);
        return loaded;
    }

    public async Task<Pdu?> GetEventAsync(string eventId, RoomVersion version, CancellationToken ct)
    {
        if (Events.Found(cache.TryGetValue(("pdu", eventId), out Pdu? pdu)))
            return pdu;
        var row = await events.GetIncludingOutliersAsync(eventId, ct);
        if (row is null)
            return null;
        pdu = ToPdu(row, version);
        cache.Set(("pdu", eventId), pdu, Entry);
        return pdu;
    }

    /// <summary>The state event at <paramref name="key"/> in a snapshot, or null.</summary>
    public async Task<Pdu?> GetStateEventAsync(long group, StateEventKey key, RoomVersion version, CancellationToken ct) =>
        await GetStateEventAsync(await GetGroupAsync(group, ct), key, version, ct);

    /// <summary>The state event at <paramref name="key"/> in a state map (a snapshot or current state), or null.</summary>
    public async Task<Pdu?> GetStateEventAsync(IReadOnlyDictionary<StateEventKey, string> state, StateEventKey key, RoomVersion version, CancellationToken ct) =>
        state.TryGetValue(key, out var id) ? await GetEventAsync(id, version, ct) : null;

    /// <summary>The room-wide state event of <paramref name="type"/> (empty state key) in a state map, or null.</summary>
    public Task<Pdu?> GetStateEventAsync(IReadOnlyDictionary<StateEventKey, string> state, string type, RoomVersion version, CancellationToken ct) =>
        GetStateEventAsync(state, new StateEventKey(type, ""), version, ct);

    /// <summary>The power levels a state map gives, creators included.</summary>
    public async Task<PowerLevels> PowerLevelsAsync(IReadOnlyDictionary<StateEventKey, string> state, RoomVersion version, CancellationToken ct) =>
        PowerLevels.From(version, await GetStateEventAsync(state, EventTypes.Create, version, ct), await GetStateEventAsync(state, EventTypes.PowerLevels, version, ct));

    public static Pdu ToPdu(EventRow row, RoomVersion version) =>
        Pdu.FromJson(JsonNode.Parse(row.Json)!.AsObject(), version);
}
