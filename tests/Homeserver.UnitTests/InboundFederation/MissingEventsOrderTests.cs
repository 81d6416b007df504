using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.InboundFederation;
using Xunit;

namespace Homeserver.UnitTests.InboundFederation;

/// <summary>
/// The order in which events fetched to fill a gap are ingested. Room version 1 events, whose IDs are chosen by their
/// writer, let a test name its events and build shapes a hash-addressed DAG cannot have (a cycle).
/// </summary>
public sealed class MissingEventsOrderTests
{
    [Fact]
    public void Chain_ListedNewestFirst_ComesOutParentsFirst()
    {
        var ordered = MissingEventsOrder.OldestFirst([Event("c", 3, "b"), Event("b", 2, "a"), Event("a", 1, "known")]);
        Assert.Equal(["a", "b", "c"], Ids(ordered));
    }

    [Fact]
    public void Fork_TheBranchesComeBeforeTheirMerge_ShallowerFirst_ThenById()
    {
        var ordered = MissingEventsOrder.OldestFirst([
            Event("merge", 4, "left", "right"), Event("right", 2, "root"), Event("left2", 3, "left"), Event("left", 2, "root"), Event("root", 1, "known"),
        ]);
        Assert.Equal(["root", "left", "right", "left2", "merge"], Ids(ordered));
    }

    [Fact]
    public void ParentsComeFirst_EvenWhenTheirDepthClaimsOtherwise()
    {
        var ordered = MissingEventsOrder.OldestFirst([Event("child", 1, "parent"), Event("parent", 9, "known")]);
        Assert.Equal(["parent", "child"], Ids(ordered));
    }

    [Fact]
    public void Duplicates_AppearOnce()
    {
        var ordered = MissingEventsOrder.OldestFirst([Event("a", 1, "known"), Event("b", 2, "a"), Event("a", 1, "known")]);
        Assert.Equal(["a", "b"], Ids(ordered));
    }

    [Fact]
    public void EventsOnACycle_AndAfterIt_AreLeftOut()
    {
        var ordered = MissingEventsOrder.OldestFirst([
            Event("x", 2, "y"), Event("y", 2, "x"), Event("after", 3, "x"), Event("free", 1, "known"),
        ]);
        Assert.Equal(["free"], Ids(ordered));
    }

    [Fact]
    public void EmptyBatch_GivesNothing() => Assert.Empty(MissingEventsOrder.OldestFirst([]));

    private static List<string> Ids(IEnumerable<Pdu> events) => events.Select(e => e.EventId.ToString()[1..^":s.test".Length]).ToList();

    private static Pdu Event(string name, long depth, params string[] prevs) => Pdu.FromJson(new JsonObject
    {
        ["event_id"] = $"${name}:s.test",
        ["room_id"] = "!room:s.test",
        ["type"] = "m.room.message",
        ["sender"] = "@u:s.test",
        ["content"] = new JsonObject(),
        ["prev_events"] = new JsonArray(prevs.Select(p => (JsonNode)new JsonArray($"${p}:s.test", new JsonObject { ["sha256"] = "AAAA" })).ToArray()),
        ["auth_events"] = new JsonArray(),
        ["depth"] = depth,
        ["origin_server_ts"] = 0,
        ["hashes"] = new JsonObject { ["sha256"] = "AAAA" },
        ["signatures"] = new JsonObject(),
    }, RoomVersions.V1);
}
