using System.Net;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Media.Previews;

/// <summary>Previews on, loopback's 127.0.0.1 allow-listed for the fake site (other loopback addresses stay refused).</summary>
public sealed class UrlPreviewFixture : HomeserverFixture
{
    protected override void Configure(HomeserverOptions options)
    {
        options.UrlPreview.Enabled = true;
        options.UrlPreview.AllowedIpRanges = ["127.0.0.1/32"];
        options.UrlPreview.MaxSpiderSize = new ByteSize(1 << 20);
        options.UrlPreview.RequestTimeout = new Duration(TimeSpan.FromSeconds(3));
        options.UrlPreview.UrlBlacklist = [new UrlPatternOptions { Path = "/blocked/*" }];
    }
}

/// <summary><c>GET /preview_url</c> against a web site on loopback, as clients ask for previews of links in messages.</summary>
public sealed class UrlPreviewTests(UrlPreviewFixture fixture, FakeSite site) : IClassFixture<UrlPreviewFixture>, IClassFixture<FakeSite>
{
    private const string ClientPath = "/_matrix/client/v1/media/preview_url";

    private static string Query(string url, long? ts = null) =>
        $"{ClientPath}?url={Uri.EscapeDataString(url)}" + (ts is null ? "" : $"&ts={ts}");

    private async Task<HttpClient> UserAsync(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        return hs.ClientFor(await hs.RegisterAsync());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OpenGraphPage_GivesItsTags_AndItsImageAsLocalMedia(string engine)
    {
        using var c = await UserAsync(engine);
        var og = await (await c.GetAsync(Query(site.Url($"/og/tags-{engine}")))).AssertOkAsync();
        Assert.Equal("The Rock", og.GetProperty("og:title").GetString());
        Assert.Equal("video.movie", og.GetProperty("og:type").GetString());
        Assert.Equal("A movie", og.GetProperty("og:description").GetString());
        var mxc = og.GetProperty("og:image").GetString()!;
        Assert.StartsWith("mxc://", mxc);
        Assert.Equal("image/png", og.GetProperty("og:image:type").GetString());
        Assert.Equal(site.Image.Length, og.GetProperty("matrix:image:size").GetInt32());
        Assert.Equal(FakeSite.ImageWidth, og.GetProperty("og:image:width").GetInt32());
        Assert.Equal(FakeSite.ImageHeight, og.GetProperty("og:image:height").GetInt32());
        // The image is served from our own media store, byte for byte.
        Assert.Equal(site.Image, await c.GetByteArrayAsync(DownloadPath(mxc)));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RepeatedRequest_IsAnsweredFromTheCache_WithoutFetchingAgain(string engine)
    {
        using var c = await UserAsync(engine);
        var path = $"/og/cached-{engine}";
        var first = await (await c.GetAsync(Query(site.Url(path)))).AssertOkAsync();
        var second = await (await c.GetAsync(Query(site.Url(path)))).AssertOkAsync();
        // A ts from before the fetch finds the earliest preview held, as Synapse's history-aware cache does.
        var earlier = await (await c.GetAsync(Query(site.Url(path), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds()))).AssertOkAsync();
        Assert.Equal(1, site.HitsOf(path));
        Assert.Equal(first.GetProperty("og:image").GetString(), second.GetProperty("og:image").GetString());
        Assert.Equal(first.GetProperty("og:title").GetString(), earlier.GetProperty("og:title").GetString());
    }

    /// <summary>A link posted in a busy room: every member's client asks for its preview at once.</summary>
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConcurrentFirstRequests_ShareOneFetch_AndGetTheSameAnswer(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var clients = new List<HttpClient>();
        for (var i = 0; i < 8; i++)
            clients.Add(hs.ClientFor(await hs.RegisterAsync()));
        var path = $"/og-slow/concurrent-{engine}";

        var answers = await Task.WhenAll(clients.Select(async c => (await (await c.GetAsync(Query(site.Url(path)))).AssertOkAsync()).GetRawText()));

        Assert.Equal(1, site.HitsOf(path));
        Assert.Single(answers.Distinct());
        using var first = JsonDocument.Parse(answers[0]);
        Assert.Equal("The Rock", first.RootElement.GetProperty("og:title").GetString());
    }

    [Fact]
    public async Task PageWithOnlyATitle_GivesTheTitle_AndNoImage()
    {
        using var c = await UserAsync("sqlite");
        var og = await (await c.GetAsync(Query(site.Url("/title.html")))).AssertOkAsync();
        Assert.Equal("Only a title", og.GetProperty("og:title").GetString());
        Assert.False(og.TryGetProperty("og:image", out _));
        Assert.Equal(JsonValueKind.Null, og.GetProperty("og:description").ValueKind);
    }

    [Fact]
    public async Task PageWithoutOpenGraph_FallsBackToMetaDescription_AndItsLargestImage()
    {
        using var c = await UserAsync("sqlite");
        var og = await (await c.GetAsync(Query(site.Url("/fallbacks.html")))).AssertOkAsync();
        Assert.Equal("Fallbacks", og.GetProperty("og:title").GetString());
        Assert.Equal("Said in a meta description", og.GetProperty("og:description").GetString());
        Assert.StartsWith("mxc://", og.GetProperty("og:image").GetString());
        // The 1x1 tracking pixel is passed over for the sized image, which is the one fetched.
        Assert.Equal(0, site.HitsOf("/tiny.png"));
        Assert.Equal(FakeSite.ImageWidth, og.GetProperty("og:image:width").GetInt32());
    }

    [Fact]
    public async Task Image_IsStoredAndDescribed()
    {
        using var c = await UserAsync("sqlite");
        var og = await (await c.GetAsync(Query(site.Url("/image.png")))).AssertOkAsync();
        Assert.StartsWith("mxc://", og.GetProperty("og:image").GetString());
        Assert.Equal(site.Image.Length, og.GetProperty("matrix:image:size").GetInt32());
        Assert.Equal(FakeSite.ImageHeight, og.GetProperty("og:image:height").GetInt32());
        Assert.Equal("image/png", og.GetProperty("og:image:type").GetString());
    }

    [Fact]
    public async Task BodyLongerThanTheLimit_Is502TooLarge()
    {
        using var c = await UserAsync("sqlite");
        await (await c.GetAsync(Query(site.Url("/big.html")))).AssertErrorAsync(HttpStatusCode.BadGateway, "M_TOO_LARGE");
    }

    [Fact]
    public async Task SlowPage_Is502_WithinTheTimeout()
    {
        using var c = await UserAsync("sqlite");
        var started = DateTime.UtcNow;
        await (await c.GetAsync(Query(site.Url("/slow.html")))).AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData("/missing.html")]
    [InlineData("/text.txt")]
    public async Task UpstreamErrorOrUnpreviewableType_Is502(string path)
    {
        using var c = await UserAsync("sqlite");
        await (await c.GetAsync(Query(site.Url(path)))).AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");
    }

    [Fact]
    public async Task Redirect_IsFollowed()
    {
        using var c = await UserAsync("sqlite");
        var og = await (await c.GetAsync(Query(site.Url("/redirect-ok")))).AssertOkAsync();
        Assert.Equal("The Rock", og.GetProperty("og:title").GetString());
        Assert.Equal(1, site.HitsOf("/og/redirected"));
    }

    [Fact]
    public async Task RedirectToADeniedAddress_Is403()
    {
        using var c = await UserAsync("sqlite");
        await (await c.GetAsync(Query(site.Url("/redirect-denied")))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_UNKNOWN");
    }

    [Fact]
    public async Task DeniedAddressLiteral_Is403()
    {
        using var c = await UserAsync("sqlite");
        await (await c.GetAsync(Query($"http://127.0.0.2:{site.Port}/og/literal"))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_UNKNOWN");
        await (await c.GetAsync(Query("http://10.1.2.3/"))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_UNKNOWN");
    }

    [Fact]
    public async Task BlacklistedUrl_Is403_WithoutFetching()
    {
        using var c = await UserAsync("sqlite");
        await (await c.GetAsync(Query(site.Url("/blocked/page.html")))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_UNKNOWN");
        Assert.Equal(0, site.HitsOf("/blocked/page.html"));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/file")]
    [InlineData("file:///etc/passwd")]
    public async Task BadUrl_Is400(string url)
    {
        using var c = await UserAsync("sqlite");
        await (await c.GetAsync(Query(url))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Fact]
    public async Task MissingUrl_Is400_AndAnonymous_Is401()
    {
        using var c = await UserAsync("sqlite");
        await (await c.GetAsync(ClientPath)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        var hs = await fixture.GetAsync("sqlite");
        await (await hs.Client.GetAsync(Query(site.Url("/og/anonymous")))).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        Assert.Equal(0, site.HitsOf("/og/anonymous"));
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("r0")]
    public async Task LegacyPaths_AnswerAlike(string version)
    {
        using var c = await UserAsync("sqlite");
        var og = await (await c.GetAsync($"/_matrix/media/{version}/preview_url?url={Uri.EscapeDataString(site.Url($"/og/legacy-{version}"))}")).AssertOkAsync();
        Assert.Equal("The Rock", og.GetProperty("og:title").GetString());
    }
}

/// <summary>Previews on with the default guard: loopback is refused whatever name leads there.</summary>
public sealed class GuardedUrlPreviewFixture : HomeserverFixture
{
    protected override void Configure(HomeserverOptions options) => options.UrlPreview.Enabled = true;
}

public sealed class UrlPreviewGuardTests(GuardedUrlPreviewFixture fixture, FakeSite site) : IClassFixture<GuardedUrlPreviewFixture>, IClassFixture<FakeSite>
{
    [Fact]
    public async Task NameResolvingToLoopback_Is403_WithoutConnecting()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var url = $"http://localhost:{site.Port}/og/by-name";
        await (await c.GetAsync($"/_matrix/client/v1/media/preview_url?url={Uri.EscapeDataString(url)}")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_UNKNOWN");
        Assert.Equal(0, site.HitsOf("/og/by-name"));
    }
}

public sealed class UrlPreviewDisabledTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory]
    [InlineData("/_matrix/client/v1/media/preview_url")]
    [InlineData("/_matrix/media/v3/preview_url")]
    public async Task Disabled_Is404Unrecognized(string path)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        await (await c.GetAsync($"{path}?url={Uri.EscapeDataString("https://example.org/")}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
    }
}
