using System.Diagnostics;
using System.Net;
using Homeserver.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 16: thumbnail requests queued without bound; 32 requests for distinct 32-megapixel images took
/// 500 MB more and the last waited 29 s. Thumbnailing now admits <c>media.max_concurrent_thumbnails</c> at work and
/// <c>media.max_queued_thumbnails</c> waiting; the rest get a prompt 429 with <c>Retry-After</c>.
/// </summary>
public sealed class ThumbnailAdmissionTests
{
    private const int Requests = 8;

    [Fact]
    public async Task BurstOfLargeImages_BeyondTheBoundGetsAPrompt429_AndALaterRequestSucceeds()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o =>
        {
            o.Media.MaxConcurrentThumbnails = 1;
            o.Media.MaxQueuedThumbnails = 1;
        });
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxcs = new List<string>();
        for (var i = 0; i < Requests; i++)
            mxcs.Add(await UploadAsync(c, Large(4000, 4000, shade: i), "image/png", $"large-{i}.png"));

        var timed = mxcs.Select(async mxc =>
        {
            var clock = Stopwatch.StartNew();
            var res = await c.GetAsync(ThumbPath(mxc));
            return (Mxc: mxc, Response: res, Elapsed: clock.Elapsed);
        }).ToList();
        var answers = await Task.WhenAll(timed);

        Assert.All(answers, a => Assert.Contains(a.Response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var refused = answers.Where(a => a.Response.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        // One at work and one waiting are admitted; of eight sent at once, most find no room.
        Assert.InRange(refused.Count, 1, Requests - 1);
        foreach (var r in refused)
        {
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(2), $"a refusal took {r.Elapsed}");
            Assert.NotNull(r.Response.Headers.RetryAfter);
            await r.Response.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        }

        var later = await c.GetAsync(ThumbPath(refused[0].Mxc));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var thumb = Image.Identify(await later.Content.ReadAsByteArrayAsync());
        Assert.Equal((240, 240), (thumb.Width, thumb.Height));
    }

    private static string ThumbPath(string mxc) => "/_matrix/client/v1/media/thumbnail/" + mxc["mxc://".Length..] + "?width=320&height=240&method=scale";

    /// <summary>A 16-megapixel PNG, small to upload but 64 MB to decode, distinct per shade so no thumbnail is shared.</summary>
    private static byte[] Large(int width, int height, int shade)
    {
        using var image = new Image<Rgb24>(width, height, new Rgb24((byte)(40 + shade), 90, 160));
        using var ms = new MemoryStream();
        image.SaveAsPng(ms);
        return ms.ToArray();
    }
}
