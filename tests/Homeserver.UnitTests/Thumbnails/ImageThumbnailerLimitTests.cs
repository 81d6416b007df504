using System.Diagnostics;
using Homeserver.Core.Configuration;
using MediaRepo.Thumbnails;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

public sealed class ImageThumbnailerLimitTests
{
    public static TheoryData<string, byte[]> Bombs => new()
    {
        { "PNG 65535x65535", TestImages.PatchPngSize(TestImages.Png(8, 8), 65535, 65535) },
        { "PNG 10000x10000 (100M pixels)", TestImages.PatchPngSize(TestImages.Png(8, 8), 10000, 10000) },
        { "PNG 20000x1 (too wide)", TestImages.PatchPngSize(TestImages.Png(8, 8), 20000, 1) },
        { "JPEG 65000x65000", TestImages.PatchJpegSize(TestImages.Jpeg(16, 16), 65000, 65000) },
        { "GIF screen 65535x65535", TestImages.HandMadeGif(65535, 65535, frames: 1) },
        { "animated WebP canvas 20000x20000", new AnimatedWebpBuilder(20000, 20000).Frame(TestImages.Solid(8, 8, Color.Red)).Build() },
    };

    [Theory]
    [MemberData(nameof(Bombs))]
    public async Task CreateAsync_DecompressionBomb_IsRefusedQuicklyAsTooLarge(string name, byte[] bomb)
    {
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var error = await TestThumbnailer.FailsAsync(TestThumbnailer.CreateAsync(bomb, 96, 96, "crop", animated: true));

        // A hang guard, not a timing: a decode of the claimed size takes minutes, a refusal milliseconds.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{name} took {clock.Elapsed}");
        Assert.Equal(ThumbnailErrorKind.TooLarge, error.Kind);
        // Nothing near the claimed size was allocated (managed; ImageSharp's pixel buffers are unmanaged and its
        // allocator is capped, which the allocator test below checks).
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore < 64L << 20);
    }

    [Fact]
    public async Task CreateAsync_FileOverSourceSizeLimit_IsTooLarge()
    {
        var options = new MediaOptions { MaxThumbnailSourceSize = new ByteSize(1024) };
        var source = TestImages.Png(300, 300);
        Assert.True(source.Length > 1024);

        var error = await TestThumbnailer.FailsAsync(TestThumbnailer.CreateAsync(source, 32, 32, "crop", options: options));

        Assert.Equal(ThumbnailErrorKind.TooLarge, error.Kind);
    }

    [Fact]
    public async Task CreateAsync_PixelCountJustOverConfiguredLimit_IsTooLarge()
    {
        var options = new MediaOptions { MaxImagePixels = 100 * 100 - 1 };

        var error = await TestThumbnailer.FailsAsync(TestThumbnailer.CreateAsync(TestImages.Png(100, 100), 32, 32, "crop", options: options));
        var fine = await TestThumbnailer.CreateAsync(TestImages.Png(99, 100), 32, 32, "crop", options: options);

        Assert.Equal(ThumbnailErrorKind.TooLarge, error.Kind);
        Assert.Equal(32, fine.Width);
    }

    [Fact]
    public void AllocationLimit_Default_IsOneFullSizeRgbaFrame() =>
        // 32M pixels × 4 bytes = 122.07 MiB, rounded up, plus 1 MiB.
        Assert.Equal(124, ThumbnailLimits.AllocationLimitMegabytes(new MediaOptions()));

    [Fact]
    public void Configuration_AllocationOverTheLimit_FailsAtOnce()
    {
        var configuration = ThumbnailImageConfiguration.Create(new MediaOptions());

        // 20000x20000 Rgba32 is 1.6 GB; a 400-megapixel decode would ask for exactly this.
        Assert.Throws<InvalidMemoryOperationException>(() => new Image<Rgba32>(configuration, 20000, 20000));
    }

    [Fact]
    public void Configuration_OnlyDecodesTheFourThumbnailFormats()
    {
        var configuration = ThumbnailImageConfiguration.Create(new MediaOptions());

        var formats = configuration.ImageFormats.Select(f => f.DefaultMimeType).Order().ToArray();

        Assert.Equal(["image/gif", "image/jpeg", "image/png", "image/webp"], formats);
    }

    [Fact]
    public async Task CreateAsync_DecodeThatIgnoresCancellation_TimesOutOnSchedule()
    {
        var options = new MediaOptions { ThumbnailTimeout = new Duration(TimeSpan.FromMilliseconds(200)) };
        using var stuck = new StuckStream(TestImages.Png(64, 64));
        var clock = Stopwatch.StartNew();

        // The outer WaitAsync turns a hang into a failure (a TimeoutException) instead of a stuck test run.
        var error = await Assert.ThrowsAsync<ThumbnailException>(() => new ImageThumbnailer(options).CreateAsync(
            stuck, new ThumbnailSizeOptions { Width = 32, Height = 32, Method = "crop" }, false, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(ThumbnailErrorKind.Timeout, error.Kind);
        // Well past the 200 ms timeout, for a loaded machine, and well before the hang guard above.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(stuck.ReadStarted);
    }

    [Fact]
    public async Task CreateAsync_CallerCancels_ThrowsCancellationNotTimeout()
    {
        using var stuck = new StuckStream(TestImages.Png(64, 64));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ImageThumbnailer(new MediaOptions()).CreateAsync(
            stuck, new ThumbnailSizeOptions { Width = 32, Height = 32, Method = "crop" }, false, cts.Token)
            .WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>A stream whose reads hang, deaf to cancellation, until disposed: a decoder stuck in a loop.</summary>
    private sealed class StuckStream(byte[] content) : MemoryStream(content, writable: false)
    {
        private readonly ManualResetEventSlim _released = new();

        public bool ReadStarted { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Hang();

        public override int Read(Span<byte> buffer) => Hang();

        private int Hang()
        {
            ReadStarted = true;
            _released.Wait();
            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            _released.Set();
            base.Dispose(disposing);
        }
    }
}
