using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms;

/// <summary>
/// Event rows and relation aggregations read for many events at once (a sync of many rooms), so formatting one
/// room's events needs no query of its own. Whatever it does not hold is read as usual.
/// </summary>
public sealed record EventReadAhead(IReadOnlyDictionary<string, EventRow> Events, RelationAggregator.Relations Relations)
{
    /// <summary>The rows for <paramref name="eventIds"/>: those held here, the rest read through <paramref name="events"/>.</summary>
    public async Task<IReadOnlyDictionary<string, EventRow>> GetManyAsync(EventStore events, IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        var found = new Dictionary<string, EventRow>(eventIds.Count);
        var missing = new List<string>();
        foreach (var id in eventIds)
            if (Events.TryGetValue(id, out var row))
                found[id] = row;
            else
                missing.Add(id);
        foreach (var (id, row) in await events.GetManyAsync(missing, ct))
            found[id] = row;
        return found;
    }
}
