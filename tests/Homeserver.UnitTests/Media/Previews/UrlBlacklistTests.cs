using Homeserver.Core.Configuration;
using Homeserver.Core.Media.Previews;
using Xunit;

namespace Homeserver.UnitTests.Media.Previews;

public sealed class UrlBlacklistTests
{
    private static UrlBlacklist With(params UrlPatternOptions[] entries) => new(new UrlPreviewOptions { UrlBlacklist = [.. entries] });

    [Theory]
    [InlineData("https://www.example.com/page", true)]
    [InlineData("https://example.com/page", false)]
    [InlineData("https://www.example.com.evil.org/page", false)]
    public void Glob_MatchesTheWholeComponent(string url, bool blocked) =>
        Assert.Equal(blocked, With(new UrlPatternOptions { Netloc = "*.example.com" }).IsBlocked(new Uri(url)));

    [Fact]
    public void EveryComponentOfAnEntryMustMatch()
    {
        var blacklist = With(new UrlPatternOptions { Scheme = "http", Path = "/private/*" });
        Assert.True(blacklist.IsBlocked(new Uri("http://example.com/private/x")));
        Assert.False(blacklist.IsBlocked(new Uri("https://example.com/private/x")));
        Assert.False(blacklist.IsBlocked(new Uri("http://example.com/public/x")));
    }

    [Fact]
    public void Caret_MakesARegularExpression()
    {
        var blacklist = With(new UrlPatternOptions { Hostname = "^(www\\.)?bad\\.org$" });
        Assert.True(blacklist.IsBlocked(new Uri("https://bad.org/")));
        Assert.True(blacklist.IsBlocked(new Uri("https://www.bad.org/")));
        Assert.False(blacklist.IsBlocked(new Uri("https://notbad.org/")));
    }

    [Fact]
    public void AComponentTheUrlLacks_NeverMatches()
    {
        var blacklist = With(new UrlPatternOptions { Username = "*" }, new UrlPatternOptions { Port = "8080" });
        Assert.False(blacklist.IsBlocked(new Uri("https://example.com/")));
        Assert.True(blacklist.IsBlocked(new Uri("https://user@example.com/")));
        Assert.True(blacklist.IsBlocked(new Uri("https://example.com:8080/")));
    }

    [Fact]
    public void InvalidRegex_IsReportedByTheOptions()
    {
        Assert.False(UrlPatternOptions.IsValidPattern("^(unclosed"));
        Assert.True(UrlPatternOptions.IsValidPattern("(a glob, not a regex"));
    }
}
