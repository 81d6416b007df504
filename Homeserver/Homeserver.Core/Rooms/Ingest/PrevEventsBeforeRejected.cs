using System.Text.Json.Nodes;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// The events an event from another server builds on for its state: its <c>prev_events</c>, each rejected one replaced
/// by the events before it, and so on up the DAG, as Synapse's <c>_get_prevs_before_rejected</c> walks. A rejected
/// event changes no state (spec "Rejection"), so the state after it is the state before it, and another server may
/// well have built on it before learning that we rejected it.
/// </summary>
public sealed class PrevEventsBeforeRejected(SetAsideEventStore setAside)
{
    /// <summary>At most so many rejected events are stepped over for one event; a longer chain stays as it is and is refused.</summary>
    private const int MaxRejectedSteps = 100;

    /// <summary>The prev events with the rejected ones stepped over; the event's own list when none is rejected.</summary>
    public async Task<IReadOnlyList<string>> OfAsync(Pdu pdu, CancellationToken ct)
    {
        var prevs = pdu.PrevEvents.Select(e => e.ToString()).Distinct().ToList();
        var result = new List<string>();
        var seen = new HashSet<string>(prevs);
        var steps = 0;
        while (prevs.Count > 0)
        {
            var rejected = steps < MaxRejectedSteps ? await setAside.RejectedJsonAsync(prevs, ct) : new Dictionary<string, string>();
            var next = new List<string>();
            foreach (var id in prevs)
            {
                if (!rejected.TryGetValue(id, out var json))
                {
                    result.Add(id);
                    continue;
                }
                steps++;
                foreach (var before in Pdu.FromJson(JsonNode.Parse(json)!.AsObject(), pdu.RoomVersion).PrevEvents)
                    if (seen.Add(before.ToString()))
                        next.Add(before.ToString());
            }
            prevs = next;
        }
        return result;
    }
}
