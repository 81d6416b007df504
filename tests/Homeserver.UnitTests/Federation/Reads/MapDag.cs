using Homeserver.Core.Federation.Reads;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.UnitTests.Federation.Reads;

/// <summary>A room DAG in memory: each event with its parents; depth one more than the deepest parent, position its order of adding.</summary>
internal sealed class MapDag : IEventDag
{
    private readonly Dictionary<string, (EventGraphStore.Node Node, string[] Parents)> _events = [];

    public MapDag Add(string id, params string[] parents)
    {
        var depth = parents.Select(p => _events[p].Node.Depth).DefaultIfEmpty(0).Max() + 1;
        _events[id] = (new EventGraphStore.Node { EventId = id, Depth = depth, StreamOrdering = _events.Count + 1 }, parents);
        return this;
    }

    /// <summary>An event naming a parent the server does not hold (left out of every answer, as the store leaves it out).</summary>
    public MapDag AddWithUnknownParent(string id, string unknown, params string[] parents)
    {
        Add(id, parents);
        _events[id] = (_events[id].Node, [.. parents, unknown]);
        return this;
    }

    public List<string> Asked { get; } = [];

    public Task<EventGraphStore.Node?> FindAsync(string eventId, CancellationToken ct) =>
        Task.FromResult(_events.TryGetValue(eventId, out var e) ? e.Node : null);

    public Task<IReadOnlyList<EventGraphStore.Node>> ParentsAsync(string eventId, CancellationToken ct)
    {
        Asked.Add(eventId);
        IReadOnlyList<EventGraphStore.Node> parents = _events.TryGetValue(eventId, out var e)
            ? e.Parents.Where(_events.ContainsKey).Select(p => _events[p].Node).ToList()
            : [];
        return Task.FromResult(parents);
    }
}
