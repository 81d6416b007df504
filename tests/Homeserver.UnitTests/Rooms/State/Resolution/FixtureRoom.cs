using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State.Resolution;
using Homeserver.UnitTests.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.State.Resolution;

/// <summary>
/// A room DAG built from a fixture's events, in file order: each event's state before is the resolution of its
/// parents' states (so every merge on the way is resolved too), its auth events are chosen from that state as a
/// server would choose them, and it must be allowed by that state, so a fixture cannot describe a branch that no
/// server would have accepted. Timestamps follow file order unless an event gives its own <c>ts</c>.
/// </summary>
internal sealed class FixtureRoom
{
    private const long FirstTs = 1_700_000_000_000;

    private readonly Dictionary<string, Pdu> _events = [];
    private readonly Dictionary<EventId, string> _names = [];
    private readonly Dictionary<string, IReadOnlyDictionary<StateEventKey, EventId>> _stateAfter = [];
    private readonly Dictionary<string, IReadOnlyList<string>> _parents = [];

    private FixtureRoom(RoomVersion version) => Version = version;

    public RoomVersion Version { get; }

    public MapEvents Events { get; } = new();

    public Pdu this[string name] => _events[name];

    public string NameOf(EventId id) => _names[id];

    /// <summary>The states after the parents of <paramref name="name"/>, the input of its state resolution.</summary>
    public IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> ParentStates(string name) =>
        _parents[name].Select(p => _stateAfter[p]).ToList();

    /// <summary>
    /// The state after <paramref name="name"/>, with <paramref name="outdated"/> put back at their keys: the older
    /// state a server can be handed when it joins or catches up through another server's answer (MSC4297's cases).
    /// </summary>
    public IReadOnlyDictionary<StateEventKey, EventId> StateAfter(string name, IEnumerable<string> outdated)
    {
        var state = new Dictionary<StateEventKey, EventId>(_stateAfter[name]);
        foreach (string old in outdated)
        {
            state[StateMap.KeyOf(_events[old])] = _events[old].EventId;
        }

        return state;
    }

    public static async Task<FixtureRoom> BuildAsync(RoomVersion version, IEnumerable<JsonObject> specs)
    {
        var room = new FixtureRoom(version);
        using var key = SigningKey.FromSeed("res", TestRoom.Seed);
        var ts = FirstTs;
        foreach (JsonObject spec in specs)
        {
            await room.AddAsync(spec, key, ts += 1000);
        }

        return room;
    }

    private async Task AddAsync(JsonObject spec, SigningKey key, long defaultTs)
    {
        string name = spec["id"]!.GetValue<string>();
        string type = spec["type"]?.GetValue<string>() ?? "m.room.message";
        var sender = UserId.Parse(spec["sender"]?.GetValue<string>() ?? "@alice:example.org");
        string? stateKey = spec["state_key"]?.GetValue<string>();
        var content = (JsonObject?)spec["content"]?.DeepClone() ?? new JsonObject { ["body"] = name };
        IReadOnlyList<string> parents = spec["prev"]?.AsArray().Select(p => p!.GetValue<string>()).ToList() ?? [];
        long ts = spec["ts"]?.GetValue<long>() ?? defaultTs;

        IReadOnlyDictionary<StateEventKey, EventId> before = parents.Count == 0
            ? new Dictionary<StateEventKey, EventId>()
            : await StateResolver.ResolveAsync(Version, parents.Select(p => _stateAfter[p]).ToList(), Events, default);
        var beforeState = new AuthStateMap(before.Values.Select(id => _events[_names[id]]));

        Pdu ev;
        if (type == EventTypes.Create)
        {
            ev = TestRoom.BuildCreate(Version, TestRoom.CreateContent(Version, sender.ToString(), content), sender.ToString());
        }
        else
        {
            IReadOnlyList<Pdu> authEvents = AuthEventSelection.Select(Version, type, sender, stateKey, content, beforeState);
            ev = new EventBuilder
            {
                RoomVersion = Version, Type = type, Sender = sender, StateKey = stateKey, Content = content,
                RoomId = _events.Values.First().RoomId,
                PrevEvents = parents.Select(p => _events[p].EventId).ToList(),
                AuthEvents = authEvents.Select(e => e.EventId).ToList(),
                ReferenceHashes = ReferenceHasher.ByEventId([.. parents.Select(p => _events[p]), .. authEvents]),
                Depth = EventBuilder.NextDepth(parents.Select(p => _events[p].Depth)), OriginServerTs = ts,
            }.Build(key);
            AuthResult allowed = EventAuthRules.Check(Version, ev, beforeState);
            Assert.True(allowed.IsAllowed, $"Fixture event {name} is refused by the state before it: {allowed.Reason}");
        }

        _events[name] = ev;
        _names[ev.EventId] = name;
        _parents[name] = parents;
        Events.Add(ev);
        var after = new Dictionary<StateEventKey, EventId>(before);
        if (ev.IsState)
        {
            after[StateMap.KeyOf(ev)] = ev.EventId;
        }

        _stateAfter[name] = after;
    }
}
