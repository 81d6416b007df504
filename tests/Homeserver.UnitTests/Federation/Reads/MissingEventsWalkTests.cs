using Homeserver.Core.Federation.Reads;
using Xunit;

namespace Homeserver.UnitTests.Federation.Reads;

public sealed class MissingEventsWalkTests
{
    // A1 ← A2 ← A3 ← {B4, C4} ← A5 ← A6 ← A7
    private static MapDag Forked() => new MapDag().Add("A1").Add("A2", "A1").Add("A3", "A2").Add("B4", "A3").Add("C4", "A3")
        .Add("A5", "B4", "C4").Add("A6", "A5").Add("A7", "A6");

    private static async Task<List<string>> Walk(MapDag dag, string[] earliest, string[] latest, int limit = 10, long minDepth = 0) =>
        (await MissingEventsWalk.RunAsync(dag, earliest, latest, limit, minDepth, default)).Select(n => n.EventId).ToList();

    [Fact]
    public async Task TheEventsBetween_OldestFirst_WithoutEitherEnd()
    {
        Assert.Equal(["B4", "C4", "A5", "A6"], await Walk(Forked(), ["A3"], ["A7"]));
    }

    [Fact]
    public async Task TheWalkDoesNotGoPastTheEarliestEvents_OnEitherBranch()
    {
        var dag = Forked();
        Assert.Equal(["A3", "C4", "A5", "A6"], await Walk(dag, ["B4", "A2"], ["A7"]));
        Assert.DoesNotContain("B4", dag.Asked);
        Assert.DoesNotContain("A2", dag.Asked);
    }

    [Fact]
    public async Task TheLimit_KeepsTheEventsNearestTheLatest()
    {
        Assert.Equal(["A5", "A6"], await Walk(Forked(), ["A1"], ["A7"], limit: 2));
        Assert.Empty(await Walk(Forked(), ["A1"], ["A7"], limit: 0));
    }

    [Fact]
    public async Task EventsBelowTheMinimumDepth_AreNeitherAnsweredNorWalkedThrough()
    {
        var dag = Forked();
        Assert.Equal(["B4", "C4", "A5", "A6"], await Walk(dag, [], ["A7"], minDepth: 4));
        Assert.DoesNotContain("A3", dag.Asked);
    }

    [Fact]
    public async Task ALatestEventAlsoHeldAsEarliest_IsNotWalked()
    {
        Assert.Empty(await Walk(Forked(), ["A7"], ["A7"]));
    }

    [Fact]
    public async Task UnknownLatestEvents_GiveNothing()
    {
        Assert.Empty(await Walk(Forked(), [], ["$unknown"]));
    }
}
