using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Homeserver.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Media;

/// <summary>Real files of each kind through upload, download and every thumbnail size (issue 5's test list).</summary>
public sealed class MediaFixtureTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    public static TheoryData<string> Kinds => new() { "text", "png", "jpeg", "gif", "webp", "mp4" };

    internal static async Task<(byte[] Bytes, string Type)> FixtureAsync(string kind)
    {
        if (kind == "text")
            return ("plain text: ünïcödé ✓\n"u8.ToArray(), "text/plain; charset=utf-8");
        if (kind == "mp4")
            return (await Ffmpeg.TestVideoAsync(), "video/mp4");
        using var image = new Image<Rgba32>(640, 360);
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                image[x, y] = new Rgba32((byte)x, (byte)y, (byte)(x ^ y));
        using var ms = new MemoryStream();
        (var encoder, var type) = kind switch
        {
            "png" => ((SixLabors.ImageSharp.Formats.IImageEncoder)new PngEncoder(), "image/png"),
            "jpeg" => (new JpegEncoder(), "image/jpeg"),
            "gif" => (new GifEncoder(), "image/gif"),
            _ => (new WebpEncoder(), "image/webp"),
        };
        image.Save(ms, encoder);
        return (ms.ToArray(), type);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task RoundTrip_IsByteIdentical(string kind)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var (bytes, type) = await FixtureAsync(kind);
        var mxc = await UploadAsync(c, bytes, type, "file." + kind);
        var res = await c.GetAsync(DownloadPath(mxc));
        Assert.Equal(bytes, await res.Content.ReadAsByteArrayAsync());
        Assert.Equal("inline", res.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("gif")]
    [InlineData("webp")]
    [InlineData("mp4")]
    public async Task EveryMethodAndSize_GivesAValidImageWithinBounds(string kind)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var (bytes, type) = await FixtureAsync(kind);
        var mxc = await UploadAsync(c, bytes, type);
        foreach (var size in Homeserver.Core.Configuration.MediaOptions.DefaultThumbnailSizes)
            foreach (var method in new[] { "crop", "scale" })
            {
                var res = await c.GetAsync($"/_matrix/client/v1/media/thumbnail/{mxc["mxc://".Length..]}?width={size.Width}&height={size.Height}&method={method}");
                Assert.True(res.StatusCode == HttpStatusCode.OK, $"{kind} {size.Width}x{size.Height} {method}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync()}");
                var info = Image.Identify(await res.Content.ReadAsByteArrayAsync());
                Assert.NotNull(info);
                // The answer is the configured size chosen for the request, never larger than it and never upscaled past the source.
                Assert.InRange(info.Width, 1, 800);
                Assert.InRange(info.Height, 1, 600);
                Assert.StartsWith("image/", res.Content.Headers.ContentType!.MediaType);
            }
    }

    [Theory]
    [InlineData(50_000, 50_000)]
    [InlineData(65_535, 65_535)]
    public async Task ClaimedHugePng_IsRefusedQuickly(int width, int height)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, MediaThumbnailTests.PngClaiming(width, height), "image/png");
        var watch = Stopwatch.StartNew();
        var before = GC.GetTotalAllocatedBytes();
        await (await c.GetAsync($"/_matrix/client/v1/media/thumbnail/{mxc["mxc://".Length..]}?width=96&height=96")).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "M_TOO_LARGE");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True(GC.GetTotalAllocatedBytes() - before < 256L << 20, "refusing the bomb allocated as if decoding it");
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    public async Task TruncatedOrCorruptImage_IsAClearError(string kind)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var (bytes, type) = await FixtureAsync(kind);
        var truncated = await UploadAsync(c, bytes[..40], type);
        var garbage = bytes.ToArray();
        for (var i = 20; i < garbage.Length; i += 7)
            garbage[i] ^= 0x5A;
        var corrupt = await UploadAsync(c, garbage, type);
        foreach (var mxc in new[] { truncated, corrupt })
        {
            var res = await c.GetAsync($"/_matrix/client/v1/media/thumbnail/{mxc["mxc://".Length..]}?width=96&height=96&method=crop");
            Assert.True(res.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"got {(int)res.StatusCode}");
            if (res.StatusCode == HttpStatusCode.BadRequest)
                await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        }
        await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
    }

    [Fact]
    public async Task AuthenticatedEndpoints_RefuseBadTokens()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, [1, 2, 3], "image/png");
        using var bad = hs.NewClient("not-a-token");
        foreach (var path in new[] { DownloadPath(mxc), $"/_matrix/client/v1/media/thumbnail/{mxc["mxc://".Length..]}?width=32&height=32", "/_matrix/client/v1/media/config" })
            await (await bad.GetAsync(path)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        var upload = new ByteArrayContent([1]);
        upload.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await (await bad.PostAsync("/_matrix/media/v3/upload", upload)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
    }
}
