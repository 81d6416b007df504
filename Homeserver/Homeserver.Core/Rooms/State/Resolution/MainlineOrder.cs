using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// The mainline ordering (state resolution v2): the mainline is the chain of power levels events from the resolved
/// one back through each one's power levels auth event. An event's position is that of the first mainline event
/// met walking back from it the same way (not counting the event itself), and infinite when there is none.
/// Events come in order of position from the greatest (based on the oldest power levels), then
/// <c>origin_server_ts</c>, then event ID.
/// </summary>
public static class MainlineOrder
{
    private const long NotOnMainline = long.MaxValue;

    public static async Task<IReadOnlyList<Pdu>> SortAsync(
        ResolutionEvents events, IReadOnlyCollection<Pdu> toSort, EventId? resolvedPowerLevels, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(toSort);
        // Position of each power levels event met so far: mainline events by their index, others by the mainline
        // event their chain reaches, so no chain is walked twice.
        var positions = new Dictionary<EventId, long>();
        var index = 0L;
        for (Pdu? p = resolvedPowerLevels is { } id ? await events.FindAsync(id, ct) : null; p is not null; p = await PowerLevelsAuthEventAsync(events, p, ct))
        {
            if (!positions.TryAdd(p.EventId, index++))
            {
                break;
            }
        }

        var keyed = new List<(Pdu Event, long Position)>(toSort.Count);
        foreach (Pdu ev in toSort)
        {
            keyed.Add((ev, await PositionAsync(events, ev, positions, ct)));
        }

        keyed.Sort((x, y) =>
        {
            int byPosition = y.Position.CompareTo(x.Position);
            return byPosition != 0 ? byPosition : EventTiebreak.ByTimestampThenId(x.Event, y.Event);
        });
        return keyed.Select(k => k.Event).ToList();
    }

    private static async Task<long> PositionAsync(ResolutionEvents events, Pdu ev, Dictionary<EventId, long> positions, CancellationToken ct)
    {
        var walked = new HashSet<EventId>();
        long position = NotOnMainline;
        for (Pdu? p = await PowerLevelsAuthEventAsync(events, ev, ct); p is not null; p = await PowerLevelsAuthEventAsync(events, p, ct))
        {
            if (positions.TryGetValue(p.EventId, out long known))
            {
                position = known;
                break;
            }

            // A chain that returns to an event walked already (never in a valid room) ends there.
            if (!walked.Add(p.EventId))
            {
                break;
            }
        }

        foreach (EventId id in walked)
        {
            positions[id] = position;
        }

        return position;
    }

    private static async Task<Pdu?> PowerLevelsAuthEventAsync(ResolutionEvents events, Pdu ev, CancellationToken ct)
    {
        foreach (EventId id in ev.AuthEvents)
        {
            if (await events.FindAsync(id, ct) is { Type: EventTypes.PowerLevels, StateKey: "" } powerLevels)
            {
                return powerLevels;
            }
        }

        return null;
    }
}
