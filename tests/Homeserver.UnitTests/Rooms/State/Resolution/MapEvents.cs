using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State.Resolution;

namespace Homeserver.UnitTests.Rooms.State.Resolution;

/// <summary>The events of a test room held in memory, counting how often each is asked for.</summary>
internal sealed class MapEvents : IStateResolutionEvents
{
    private readonly Dictionary<EventId, Pdu> _events = [];

    public Dictionary<EventId, int> Lookups { get; } = [];

    public void Add(Pdu ev) => _events[ev.EventId] = ev;

    public ValueTask<Pdu?> FindAsync(EventId eventId, CancellationToken ct)
    {
        Lookups[eventId] = Lookups.GetValueOrDefault(eventId) + 1;
        return ValueTask.FromResult(_events.GetValueOrDefault(eventId));
    }
}
