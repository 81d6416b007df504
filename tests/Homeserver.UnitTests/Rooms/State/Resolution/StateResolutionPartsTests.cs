using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State.Resolution;
using Xunit;

namespace Homeserver.UnitTests.Rooms.State.Resolution;

/// <summary>The pieces of state resolution on their own, and what the fixtures cannot state by name.</summary>
public sealed class StateResolutionPartsTests
{
    private const string Alice = "@alice:example.org";
    private const string Bob = "@bob:example.org";

    private static readonly StateEventKey Topic = new("m.room.topic", "");
    private static readonly StateEventKey Name = new("m.room.name", "");

    [Fact]
    public void Split_V2_CountsAKeyOneStateLacksAsConflicted_V1_TakesItFromTheOthers()
    {
        EventId t1 = EventId.Parse("$t1"), t2 = EventId.Parse("$t2"), n = EventId.Parse("$n");
        var withName = new Dictionary<StateEventKey, EventId> { [Topic] = t1, [Name] = n };
        var withoutName = new Dictionary<StateEventKey, EventId> { [Topic] = t2 };

        ConflictSplit v2 = ConflictSplit.Of([withName, withoutName]);
        ConflictSplit v1 = ConflictSplit.OfPresent([withName, withoutName]);

        Assert.Empty(v2.Unconflicted);
        Assert.Equal(new HashSet<EventId> { t1, t2, n }, v2.ConflictedEvents);
        Assert.Equal(n, v1.Unconflicted[Name]);
        Assert.Equal(new HashSet<EventId> { t1, t2 }, v1.ConflictedEvents);
    }

    [Fact]
    public async Task PowerOrder_EqualPowerAndTimestamp_SmallerEventIdFirst()
    {
        // Two admins change the power levels in the same millisecond: only the event IDs can order them, so the
        // change with the greater ID is applied last and stands.
        const long Same = 1_700_000_900_000;
        FixtureRoom room = await BuildAsync(
            Event("PA", "m.room.power_levels", Alice, "", Levels((Alice, 100), (Bob, 100)), ["START"]),
            Event("P1", "m.room.power_levels", Alice, "", Levels((Alice, 100), (Bob, 100), ("@charlie:example.org", 10)), ["PA"], Same),
            Event("P2", "m.room.power_levels", Bob, "", Levels((Alice, 100), (Bob, 100), ("@zara:example.org", 10)), ["PA"], Same),
            Event("END", "m.room.message", Alice, null, [], ["P1", "P2"]));

        var resolved = await StateResolver.ResolveAsync(room.Version, room.ParentStates("END"), room.Events, default);

        string greater = string.CompareOrdinal(room["P1"].EventId.ToString(), room["P2"].EventId.ToString()) > 0 ? "P1" : "P2";
        Assert.Equal(room[greater].EventId, resolved[new StateEventKey(EventTypes.PowerLevels, "")]);
    }

    [Fact]
    public async Task LongConflictedChains_ReadEachEventOnce()
    {
        // Two hundred power level changes on one branch against the room's first ones on the other: every step
        // that walks auth chains reads the same events, and each must be read from the source once.
        var events = new List<JsonObject>();
        string previous = "START";
        for (var i = 0; i < 200; i++)
        {
            events.Add(Event($"P{i}", "m.room.power_levels", Alice, "", Levels((Alice, 100), (Bob, i % 50)), [previous]));
            previous = $"P{i}";
        }

        events.Add(Event("OTHER", "m.room.message", Bob, null, [], ["START"]));
        events.Add(Event("END", "m.room.message", Alice, null, [], [previous, "OTHER"]));
        FixtureRoom room = await BuildAsync([.. events]);
        room.Events.Lookups.Clear();

        var resolved = await StateResolver.ResolveAsync(room.Version, room.ParentStates("END"), room.Events, default);

        Assert.Equal(room["P199"].EventId, resolved[new StateEventKey(EventTypes.PowerLevels, "")]);
        Assert.All(room.Events.Lookups, l => Assert.Equal(1, l.Value));
    }

    [Fact]
    public async Task SingleState_IsReturnedAsItIs_WithoutReadingEvents()
    {
        FixtureRoom room = await BuildAsync();
        room.Events.Lookups.Clear();
        var state = room.StateAfter("START", []);

        var resolved = await StateResolver.ResolveAsync(room.Version, [state], room.Events, default);

        Assert.Same(state, resolved);
        Assert.Empty(room.Events.Lookups);
    }

    private static Task<FixtureRoom> BuildAsync(params JsonObject[] events)
    {
        string standard = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rooms", "State", "Resolution", "Fixtures", "standard-room.json"));
        var all = JsonNode.Parse(standard)!["events"]!.AsArray().Select(e => e!.AsObject()).Concat(events);
        return FixtureRoom.BuildAsync(RoomVersions.Default, all);
    }

    private static JsonObject Levels(params (string User, int Level)[] users)
    {
        var map = new JsonObject();
        foreach ((string user, int level) in users)
        {
            map[user] = level;
        }

        return new JsonObject { ["users"] = map };
    }

    private static JsonObject Event(string id, string type, string sender, string? stateKey, JsonObject content, string[] prev, long? ts = null)
    {
        var ev = new JsonObject { ["id"] = id, ["type"] = type, ["sender"] = sender, ["content"] = content, ["prev"] = new JsonArray([.. prev.Select(p => JsonValue.Create(p))]) };
        if (stateKey is not null)
        {
            ev["state_key"] = stateKey;
        }

        if (ts is { } t)
        {
            ev["ts"] = t;
        }

        return ev;
    }
}
