using Homeserver.Core.Federation.Reads;
using Xunit;

namespace Homeserver.UnitTests.Federation.Reads;

public sealed class BackfillWalkTests
{
    // A1 ← A2 ← A3 ← {B4, C4} ← A5 ← A6: a fork at depth 4, joined again at 5.
    private static MapDag Forked() => new MapDag().Add("A1").Add("A2", "A1").Add("A3", "A2").Add("B4", "A3").Add("C4", "A3")
        .Add("A5", "B4", "C4").Add("A6", "A5");

    private static async Task<List<string>> Walk(MapDag dag, int limit, params string[] from) =>
        (await BackfillWalk.RunAsync(dag, from, limit, default)).Select(n => n.EventId).ToList();

    [Fact]
    public async Task TakesTheGivenEventsAndThoseBefore_DeepestFirst_BothBranchesOfAFork()
    {
        Assert.Equal(["A6", "A5", "C4", "B4", "A3", "A2", "A1"], await Walk(Forked(), 100, "A6"));
    }

    [Fact]
    public async Task StopsAtTheLimit_TakingTheNewestFirst()
    {
        Assert.Equal(["A6", "A5", "C4"], await Walk(Forked(), 3, "A6"));
        Assert.Equal(["A5"], await Walk(Forked(), 1, "A5"));
        Assert.Empty(await Walk(Forked(), 0, "A6"));
    }

    [Fact]
    public async Task SeveralStarts_AreWalkedTogether_WithoutDuplicates()
    {
        Assert.Equal(["C4", "B4", "A3", "A2"], await Walk(Forked(), 4, "B4", "C4", "B4"));
    }

    [Fact]
    public async Task UnknownStartsAndParents_AreLeftOut()
    {
        var dag = new MapDag().Add("A1").AddWithUnknownParent("A2", "$missing", "A1");
        Assert.Equal(["A2", "A1"], await Walk(dag, 10, "A2", "$unknown"));
        Assert.Empty(await Walk(dag, 10, "$unknown"));
    }
}
