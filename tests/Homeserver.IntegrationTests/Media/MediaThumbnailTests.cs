using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Homeserver.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Media;

public sealed class MediaThumbnailTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    internal static byte[] Png(int width, int height)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(200, 30, 30));
        using var ms = new MemoryStream();
        image.SaveAsPng(ms);
        return ms.ToArray();
    }

    private static string ThumbPath(string mxc, string query) => "/_matrix/client/v1/media/thumbnail/" + mxc["mxc://".Length..] + "?" + query;

    private static async Task<(int Width, int Height, string Type)> ReadImageAsync(HttpResponseMessage res)
    {
        var bytes = await res.Content.ReadAsByteArrayAsync();
        var info = Image.Identify(bytes);
        return (info.Width, info.Height, res.Content.Headers.ContentType!.MediaType!);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Thumbnail_CropAndScale_AtConfiguredSizes_AndCached(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, Png(1000, 500), "image/png", "wide.png");

        var crop = await c.GetAsync(ThumbPath(mxc, "width=90&height=90&method=crop"));
        Assert.Equal(HttpStatusCode.OK, crop.StatusCode);
        Assert.Equal((96, 96, "image/png"), await ReadImageAsync(crop));
        MediaServingTests.AssertSafetyHeaders(crop);

        var scale = await c.GetAsync(ThumbPath(mxc, "width=300&height=200&method=scale"));
        Assert.Equal((320, 160, "image/png"), await ReadImageAsync(scale));

        var files = StoredFileCount(hs);
        var again = await c.GetAsync(ThumbPath(mxc, "width=96&height=96&method=crop"));
        Assert.Equal(await crop.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(files, StoredFileCount(hs));
    }

    [Fact]
    public async Task Thumbnail_BadParameters_AreRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, Png(50, 50), "image/png");
        await (await c.GetAsync(ThumbPath(mxc, "height=10"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await c.GetAsync(ThumbPath(mxc, "width=-1&height=10"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await c.GetAsync(ThumbPath(mxc, "width=10&height=10&method=zoom"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.GetAsync(ThumbPath(mxc, "width=10&height=10"))).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Fact]
    public async Task Thumbnail_DecompressionBomb_IsRefusedFastAndServerStaysUp()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var bomb = PngClaiming(65535, 65535);
        var mxc = await UploadAsync(c, bomb, "image/png");
        var watch = Stopwatch.StartNew();
        var res = await c.GetAsync(ThumbPath(mxc, "width=320&height=240"));
        await res.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "M_TOO_LARGE");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
    }

    [Fact]
    public async Task Thumbnail_OfNonImageLabelledAsPng_IsNotDecoded()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray(), "image/png");
        await (await c.GetAsync(ThumbPath(mxc, "width=32&height=32&method=crop"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
    }

    [Fact]
    public async Task Thumbnail_OfVideo_IsItsFirstFrame()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, await Ffmpeg.TestVideoAsync(), "video/mp4", "clip.mp4");
        var res = await c.GetAsync(ThumbPath(mxc, "width=320&height=240&method=scale"));
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var (w, h, _) = await ReadImageAsync(res);
        Assert.Equal((320, 240), (w, h));
    }

    [Fact]
    public async Task Thumbnail_OfVideoWithoutFfmpeg_SaysNoThumbnail()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Media.FfmpegPath = "/nonexistent/ffmpeg");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, await Ffmpeg.TestVideoAsync(), "video/mp4");
        var body = await (await c.GetAsync(ThumbPath(mxc, "width=96&height=96"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Contains("ffmpeg", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task LegacyThumbnail_ServesFrozenMediaWithoutAuth()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Media.LegacyFreezeDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)));
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, Png(100, 100), "image/png");
        var res = await hs.Client.GetAsync("/_matrix/media/v3/thumbnail/" + mxc["mxc://".Length..] + "?width=32&height=32&method=crop");
        Assert.Equal((32, 32, "image/png"), await ReadImageAsync(res));
    }

    /// <summary>A tiny valid PNG whose header claims the given size: the classic decompression bomb shape.</summary>
    internal static byte[] PngClaiming(int width, int height)
    {
        var png = Png(1, 1);
        // IHDR data starts after the 8-byte signature, 4-byte length and 4-byte type.
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        var crc = Crc32(png.AsSpan(12, 17));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);
        return png;
    }

    /// <summary>PNG's chunk checksum (CRC-32, polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
