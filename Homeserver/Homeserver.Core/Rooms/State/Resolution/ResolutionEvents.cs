using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// The events of one resolution, each read once from <see cref="IStateResolutionEvents"/>, and their auth chains,
/// each computed once from its auth events' chains: the steps ask for the same chains over and over (auth
/// difference, conflicted subgraph, power ordering), and walking them afresh each time would be quadratic.
/// </summary>
public sealed class ResolutionEvents(IStateResolutionEvents source)
{
    private readonly Dictionary<EventId, Pdu?> _events = [];
    private readonly Dictionary<EventId, HashSet<EventId>> _chains = [];

    public async ValueTask<Pdu?> FindAsync(EventId eventId, CancellationToken ct)
    {
        if (!_events.TryGetValue(eventId, out Pdu? pdu))
        {
            pdu = await source.FindAsync(eventId, ct);
            _events[eventId] = pdu;
        }

        return pdu;
    }

    /// <summary>The known events among <paramref name="eventIds"/>, in the order given.</summary>
    public async Task<List<Pdu>> FindAllAsync(IEnumerable<EventId> eventIds, CancellationToken ct)
    {
        var found = new List<Pdu>();
        foreach (EventId id in eventIds)
        {
            if (await FindAsync(id, ct) is { } pdu)
            {
                found.Add(pdu);
            }
        }

        return found;
    }

    /// <summary>
    /// The auth chain of an event: its known auth events, theirs, and so on to the room's create event, without
    /// the event itself. Walked without recursion, since a chain can be longer than the stack is deep.
    /// </summary>
    public async Task<IReadOnlySet<EventId>> AuthChainAsync(EventId eventId, CancellationToken ct)
    {
        if (_chains.TryGetValue(eventId, out HashSet<EventId>? known))
        {
            return known;
        }

        // Entered but unfinished events are the path being walked; an auth event on it would be a cycle, which
        // no valid room has, and is left out rather than walked for ever.
        var entered = new HashSet<EventId>();
        var pending = new Stack<EventId>();
        pending.Push(eventId);
        while (pending.Count > 0)
        {
            EventId current = pending.Peek();
            if (_chains.ContainsKey(current))
            {
                pending.Pop();
                continue;
            }

            entered.Add(current);
            IReadOnlyList<EventId> parents = await FindAsync(current, ct) is { } pdu ? pdu.AuthEvents : [];
            var missing = false;
            foreach (EventId parent in parents)
            {
                if (!_chains.ContainsKey(parent) && !entered.Contains(parent) && await FindAsync(parent, ct) is not null)
                {
                    pending.Push(parent);
                    missing = true;
                }
            }

            if (missing)
            {
                continue;
            }

            var chain = new HashSet<EventId>();
            foreach (EventId parent in parents)
            {
                if (_chains.TryGetValue(parent, out HashSet<EventId>? parentChain))
                {
                    chain.Add(parent);
                    chain.UnionWith(parentChain);
                }
            }

            _chains[current] = chain;
            pending.Pop();
        }

        return _chains[eventId];
    }

    /// <summary>
    /// From room version 12 the create event is never among auth events: the room ID names it. Null before v12,
    /// where an event that needs it cites it.
    /// </summary>
    public async ValueTask<Pdu?> ImpliedCreateEventAsync(Pdu ev, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return ev.RoomVersion.RoomIdIsCreateEventId && EventId.TryParse(EventId.Sigil + ev.RoomId.Opaque, out EventId? id)
            ? await FindAsync(id.Value, ct)
            : null;
    }
}
