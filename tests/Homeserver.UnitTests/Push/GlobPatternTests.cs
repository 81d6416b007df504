using Homeserver.Core.Push.Rules;
using Xunit;

namespace Homeserver.UnitTests.Push;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "abbbcd", false)]
    [InlineData("*b*", "abc", true)]
    [InlineData("a*b*a", "aba", true)]
    [InlineData("a*b*a", "ab", false)]
    [InlineData("AbC", "aBc", true)]
    [InlineData("??", "é😀", true)]
    [InlineData("m.room.*", "m.room.message", true)]
    public void MatchesWhole(string pattern, string value, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).MatchesWhole(value));

    [Theory]
    [InlineData("cake", "I like cake.", true)]
    [InlineData("cake", "cupcake", false)]
    [InlineData("cake*lie", "the cake is a lie!", true)]
    [InlineData("cake*lie", "the cake is a lier", false)]
    [InlineData("*", "", true)]
    [InlineData("@room", "hey @room", true)]
    [InlineData("alice", "@alice:example.org", true)]
    public void MatchesWords(string pattern, string value, bool expected) =>
        Assert.Equal(expected, GlobPattern.Parse(pattern).MatchesWords(value));

    // Reliability: a thousand wildcards against a 64 KiB body. A backtracking matcher needs exponential time on
    // these (the failing ones above all), so the test would never finish; the answer is what is asserted.
    [Fact]
    public void ThousandWildcards_Against64KiB_AnswerWithoutBacktracking()
    {
        var body = new string('a', 64 * 1024);
        var starQuestion = GlobPattern.Parse(string.Concat(Enumerable.Repeat("*?", 1000)));
        Assert.True(starQuestion.MatchesWhole(body));
        Assert.True(starQuestion.MatchesWords(body));
        Assert.False(starQuestion.MatchesWhole(new string('a', 999)));

        var neverEnds = GlobPattern.Parse(string.Concat(Enumerable.Repeat("*a", 1000)) + "*b");
        Assert.False(neverEnds.MatchesWhole(body));
        Assert.False(neverEnds.MatchesWords(body));

        var longSegments = GlobPattern.Parse(string.Concat(Enumerable.Repeat(new string('a', 100) + "?*", 10)) + "b");
        Assert.False(longSegments.MatchesWhole(body));
        Assert.True(longSegments.MatchesWhole(body[..^1] + "b"));
    }
}
