using System.Text;
using Homeserver.Core.Media.Previews;
using Xunit;

namespace Homeserver.UnitTests.Media.Previews;

public sealed class OpenGraphParserTests
{
    private static System.Text.Json.Nodes.JsonObject Parse(string html, string type = "text/html; charset=utf-8") =>
        OpenGraphParser.Parse(Encoding.UTF8.GetBytes(html), type);

    [Fact]
    public void OpenGraphTags_WinOverTwitterAndTheTitle()
    {
        var og = Parse("""
            <head><title>Title</title><meta property="og:title" content="OG"><meta name="twitter:title" content="Tw">
            <meta name="twitter:description" content="From Twitter"><meta property="article:author" content="Ann"></head>
            """);
        Assert.Equal("OG", (string?)og["og:title"]);
        Assert.Equal("From Twitter", (string?)og["og:description"]);
        Assert.Equal("Ann", (string?)og["article:author"]);
    }

    [Fact]
    public void WithoutTags_TheBodyTextDescribesThePage_LeavingOutNavigationAndScripts()
    {
        var og = Parse("<body><nav>Menu</nav><script>var x;</script><h1>Heading</h1><p>First   paragraph.</p><footer>Foot</footer></body>");
        Assert.Equal("Heading", (string?)og["og:title"]);
        Assert.Equal("Heading\nFirst paragraph.", (string?)og["og:description"]);
    }

    [Fact]
    public void LongText_IsCutNearFiveHundredCharacters()
    {
        var og = Parse($"<body><p>{string.Join(' ', Enumerable.Repeat("word", 400))}</p></body>");
        var description = (string)og["og:description"]!;
        Assert.InRange(description.Length, 250, 501);
        Assert.EndsWith("…", description);
    }

    [Fact]
    public void TheCharsetOfTheHeader_DecodesThePage()
    {
        var bytes = Encoding.Latin1.GetBytes("<title>Caf\u00e9</title>");
        Assert.Equal("Caf\u00e9", (string?)OpenGraphParser.Parse(bytes, "text/html; charset=iso-8859-1")["og:title"]);
    }

    [Fact]
    public void WithoutImages_ThePageIconIsTheImage()
    {
        var og = Parse("<head><link rel=\"shortcut icon\" href=\"/favicon.ico\"></head>");
        Assert.Equal("/favicon.ico", (string?)og["og:image"]);
    }
}
