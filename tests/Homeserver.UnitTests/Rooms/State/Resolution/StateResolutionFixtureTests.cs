using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State.Resolution;
using Xunit;

namespace Homeserver.UnitTests.Rooms.State.Resolution;

/// <summary>
/// The JSON fixtures under <c>Fixtures/</c>, each run in every room version whose algorithm it names. A fixture
/// lists events on branches (<c>prev</c>), usually on top of <c>standard-room.json</c> (<c>START</c> is its last
/// event), and says which events the resolved state must hold (<c>expect.state</c>) and which it must not
/// (<c>expect.not_state</c>).
/// </summary>
public sealed class StateResolutionFixtureTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Rooms", "State", "Resolution", "Fixtures");

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string file in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (name == StandardRoom)
            {
                continue;
            }

            foreach (RoomVersion version in VersionsFor(Load(name)))
            {
                cases.Add(name, version.Id);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Fixture_ResolvesToTheExpectedState(string fixture, string versionId)
    {
        JsonObject spec = Load(fixture);
        (FixtureRoom room, IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states) = await BuildAsync(spec, versionId);

        var resolved = await StateResolver.ResolveAsync(room.Version, states, room.Events, default);

        JsonObject expect = spec["expect"]!.AsObject();
        foreach (string name in Names(expect["state"]))
        {
            Pdu ev = room[name];
            Assert.True(resolved.TryGetValue(StateMap.KeyOf(ev), out EventId got), $"{fixture}: no {ev.Type} {ev.StateKey} in the resolved state, expected {name}");
            Assert.True(got == ev.EventId, $"{fixture}: expected {name} at {StateMap.KeyOf(ev)}, got {room.NameOf(got)}");
        }

        foreach (string name in Names(expect["not_state"]))
        {
            Assert.DoesNotContain(room[name].EventId, resolved.Values);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Fixture_ResolvesAlike_WhateverTheOrderOfTheStates(string fixture, string versionId)
    {
        (FixtureRoom room, IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states) = await BuildAsync(Load(fixture), versionId);
        var expected = await StateResolver.ResolveAsync(room.Version, states, room.Events, default);

        var random = new Random(15);
        for (var round = 0; round < 6; round++)
        {
            // Each state is also rebuilt with its entries in another order, so no dictionary order can leak through.
            var shuffled = states.Select(s => (IReadOnlyDictionary<StateEventKey, EventId>)s.OrderBy(_ => random.Next()).ToDictionary())
                .OrderBy(_ => random.Next()).ToList();
            var resolved = await StateResolver.ResolveAsync(room.Version, shuffled, room.Events, default);
            Assert.Equal(expected.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal), resolved.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal));
        }
    }

    private const string StandardRoom = "standard-room";

    private static JsonObject Load(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")))!.AsObject();

    private static IEnumerable<string> Names(JsonNode? list) => list?.AsArray().Select(n => n!.GetValue<string>()) ?? [];

    private static IEnumerable<RoomVersion> VersionsFor(JsonObject spec)
    {
        var algorithms = Names(spec["algorithms"]).Select(a => a switch
        {
            "v1" => StateResolutionAlgorithm.V1,
            "v2" => StateResolutionAlgorithm.V2,
            "v2.1" => StateResolutionAlgorithm.V2_1,
            _ => throw new InvalidDataException($"Unknown algorithm {a}"),
        }).ToHashSet();
        return RoomVersions.All.Where(v => algorithms.Contains(v.StateResolution));
    }

    /// <summary>
    /// The room, and the states to resolve: those after the parents of <c>expect.at</c> (the last event by default),
    /// or the ones <c>expect.states</c> lists, each the state after an event with <c>outdated</c> events put back.
    /// </summary>
    private static async Task<(FixtureRoom Room, IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> States)> BuildAsync(JsonObject spec, string versionId)
    {
        Assert.True(RoomVersions.TryGet(versionId, out RoomVersion? version));
        var events = new List<JsonObject>();
        if (spec["room"]?.GetValue<string>() != "none")
        {
            events.AddRange(Load(StandardRoom)["events"]!.AsArray().Select(e => e!.AsObject()));
        }

        events.AddRange(spec["events"]!.AsArray().Select(e => e!.AsObject()));
        FixtureRoom room = await FixtureRoom.BuildAsync(version, events);
        if (spec["expect"]?["states"] is JsonArray listed)
        {
            return (room, listed.Select(s => room.StateAfter(s!["after"]!.GetValue<string>(), Names(s["outdated"]))).ToList());
        }

        string at = spec["expect"]?["at"]?.GetValue<string>() ?? events[^1]["id"]!.GetValue<string>();
        return (room, room.ParentStates(at));
    }
}
