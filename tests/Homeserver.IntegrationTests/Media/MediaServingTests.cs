using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Media;

/// <summary>Safe headers and Range support on downloads (checklist rows 67, 68, 72).</summary>
public sealed class MediaServingTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory]
    [InlineData("image/png", "image/png", "inline")]
    [InlineData("video/mp4", "video/mp4", "inline")]
    [InlineData("text/plain; charset=utf-8", "text/plain; charset=utf-8", "inline")]
    [InlineData("TEXT/PLAIN", "text/plain", "inline")]
    [InlineData("text/html", "application/octet-stream", "attachment")]
    [InlineData("text/html;charset=utf-8", "application/octet-stream", "attachment")]
    [InlineData("image/svg+xml", "application/octet-stream", "attachment")]
    [InlineData("application/xhtml+xml", "application/octet-stream", "attachment")]
    [InlineData("application/javascript", "application/octet-stream", "attachment")]
    [InlineData("text/xml", "application/octet-stream", "attachment")]
    [InlineData(null, "application/octet-stream", "attachment")]
    public async Task Download_ServesOnlySafeTypesInline(string? uploaded, string served, string disposition)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var content = new ByteArrayContent("<script>alert(1)</script>"u8.ToArray());
        if (uploaded is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", uploaded);
        var mxc = (await (await c.PostAsync("/_matrix/media/v3/upload?filename=f", content)).AssertOkAsync()).GetProperty("content_uri").GetString()!;
        var res = await c.GetAsync(DownloadPath(mxc));
        Assert.Equal(served, res.Content.Headers.ContentType!.ToString().Replace("; ", ";").Replace(";", "; "));
        Assert.Equal(disposition, res.Content.Headers.ContentDisposition?.DispositionType);
        AssertSafetyHeaders(res);
    }

    internal static void AssertSafetyHeaders(HttpResponseMessage res)
    {
        Assert.Equal("nosniff", res.Headers.GetValues("X-Content-Type-Options").Single());
        var csp = res.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("sandbox;", csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'none'", csp);
        Assert.Equal("cross-origin", res.Headers.GetValues("Cross-Origin-Resource-Policy").Single());
        Assert.Equal("no-referrer", res.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Download_NonAsciiFileName_IsEncodedPerRfc6266()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, [1, 2, 3], "image/png", "résumé \"final\".png");
        var res = await c.GetAsync(DownloadPath(mxc));
        var raw = res.Content.Headers.GetValues("Content-Disposition").Single();
        Assert.Contains("filename*=UTF-8''r%C3%A9sum%C3%A9", raw);
        Assert.Equal("résumé \"final\".png", res.Content.Headers.ContentDisposition!.FileNameStar);
    }

    [Fact]
    public async Task Range_SingleRanges_Are206_AndUnsatisfiableIs416()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var data = RandomNumberGenerator.GetBytes(10_000);
        var path = DownloadPath(await UploadAsync(c, data, "video/mp4", "clip.mp4"));

        async Task<HttpResponseMessage> Get(string range)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, path);
            req.Headers.TryAddWithoutValidation("Range", range);
            return await c.SendAsync(req);
        }

        var full = await c.GetAsync(path);
        Assert.Equal("bytes", full.Headers.AcceptRanges.Single());

        var mid = await Get("bytes=100-199");
        Assert.Equal(HttpStatusCode.PartialContent, mid.StatusCode);
        Assert.Equal(data[100..200], await mid.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 100-199/10000", mid.Content.Headers.ContentRange!.ToString());
        AssertSafetyHeaders(mid);

        var open = await Get("bytes=9000-");
        Assert.Equal(data[9000..], await open.Content.ReadAsByteArrayAsync());

        var suffix = await Get("bytes=-500");
        Assert.Equal(data[^500..], await suffix.Content.ReadAsByteArrayAsync());

        var beyond = await Get("bytes=20000-30000");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal("bytes */10000", beyond.Content.Headers.ContentRange!.ToString());

        // Several ranges are not served as multipart: the whole file comes back instead, bounded by its size.
        var multi = await Get("bytes=0-9,20-29");
        Assert.Equal(HttpStatusCode.OK, multi.StatusCode);
        Assert.Equal(data, await multi.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task LegacyDownload_ServesOnlyMediaFromBeforeTheFreeze()
    {
        await using var frozenLater = await TestHomeserver.StartAsync("sqlite", o => o.Media.LegacyFreezeDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)));
        using (var c = frozenLater.ClientFor(await frozenLater.RegisterAsync()))
        {
            var mxc = await UploadAsync(c, [4, 2], "image/png");
            var res = await frozenLater.Client.GetAsync("/_matrix/media/v3/download/" + mxc["mxc://".Length..]);
            Assert.Equal([4, 2], await res.Content.ReadAsByteArrayAsync());
            AssertSafetyHeaders(res);
        }

        var hs = await fixture.GetAsync("sqlite");
        using var c2 = hs.ClientFor(await hs.RegisterAsync());
        var recent = await UploadAsync(c2, [4, 2], "image/png");
        await (await hs.Client.GetAsync("/_matrix/media/v3/download/" + recent["mxc://".Length..])).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Fact]
    public async Task LegacyEndpoints_Disabled_AreNotServed()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Media.LegacyUnauthenticatedEndpoints = false);
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, [1]);
        var res = await hs.Client.GetAsync("/_matrix/media/v3/download/" + mxc["mxc://".Length..]);
        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
    }
}
