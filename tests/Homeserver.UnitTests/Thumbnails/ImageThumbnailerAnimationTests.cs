using System.Diagnostics;
using Homeserver.Core.Configuration;
using MediaRepo.Thumbnails;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

public sealed class ImageThumbnailerAnimationTests
{
    private static readonly Color[] FourColours = [Color.Red, Color.Lime, Color.Blue, Color.Yellow];

    [Fact]
    public async Task CreateAsync_AnimatedGifAnimatedWanted_KeepsEveryFrameResized()
    {
        var source = TestImages.AnimatedGif(64, 64, delay: 7, FourColours);

        var result = await TestThumbnailer.CreateAsync(source, 32, 32, "crop", animated: true);

        Assert.Equal("image/gif", result.ContentType);
        Assert.Equal("image/gif", TestThumbnailer.SniffedType(result));
        using var image = TestThumbnailer.Decode(result);
        Assert.Equal(4, image.Frames.Count);
        Assert.Equal((32, 32), (image.Width, image.Height));
        for (int i = 0; i < FourColours.Length; i++)
        {
            var frame = image.Frames[i];
            Assert.True(TestThumbnailer.IsMostly(frame[16, 16], FourColours[i]), $"frame {i} is {frame[16, 16]}");
            Assert.Equal(7, frame.Metadata.GetGifMetadata().FrameDelay);
        }
        Assert.Equal(0, image.Metadata.GetGifMetadata().RepeatCount);
    }

    [Fact]
    public async Task CreateAsync_AnimatedGifStillWanted_GivesFirstFrameAsPng()
    {
        var result = await TestThumbnailer.CreateAsync(TestImages.AnimatedGif(64, 64, 7, FourColours), 32, 32, "crop");

        Assert.Equal("image/png", result.ContentType);
        using var image = TestThumbnailer.Decode(result);
        Assert.Single(image.Frames);
        Assert.True(TestThumbnailer.IsMostly(image[16, 16], Color.Red));
    }

    [Fact]
    public async Task CreateAsync_AnimationOverPixelBudget_GivesStillFirstFrame()
    {
        // 64x64x4 frames = 16384 pixels decoded at once, over a 10000-pixel budget; one frame (4096) is fine.
        var options = new MediaOptions { MaxImagePixels = 10_000 };

        var result = await TestThumbnailer.CreateAsync(TestImages.AnimatedGif(64, 64, 7, FourColours), 32, 32, "crop", animated: true, options);

        Assert.Equal("image/png", result.ContentType);
        using var image = TestThumbnailer.Decode(result);
        Assert.True(TestThumbnailer.IsMostly(image[16, 16], Color.Red));
    }

    [Fact]
    public async Task CreateAsync_GifWithThirtyThousandFrames_IsNotDecodedBeyondTheFirstFrame()
    {
        var source = TestImages.HandMadeGif(10, 10, frames: 30_000);
        var clock = Stopwatch.StartNew();

        var animatedWanted = await TestThumbnailer.CreateAsync(source, 32, 32, "crop", animated: true);
        var stillWanted = await TestThumbnailer.CreateAsync(source, 32, 32, "crop", animated: false);

        // A hang guard for a loaded machine: quantising 30,000 frames one by one takes far longer.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal("image/png", animatedWanted.ContentType);
        Assert.Equal("image/png", stillWanted.ContentType);
        Assert.Equal((10, 10), (animatedWanted.Width, animatedWanted.Height));
    }

    [Fact]
    public async Task CreateAsync_HandMadeGifWithinBudget_IsAnimated()
    {
        // Checks the frame counter against a file whose structure is known byte for byte.
        var result = await TestThumbnailer.CreateAsync(TestImages.HandMadeGif(10, 10, frames: 5), 32, 32, "crop", animated: true);

        Assert.Equal("image/gif", result.ContentType);
        using var image = TestThumbnailer.Decode(result);
        Assert.Equal(5, image.Frames.Count);
    }

    [Fact]
    public async Task CreateAsync_AnimatedWebpAnimatedWanted_GivesGifOfComposedFrames()
    {
        using var red = TestImages.Solid(64, 64, Color.Red);
        using var blue = TestImages.Solid(32, 32, Color.Blue);
        using var halfGreen = TestImages.Bands(64, 64, Color.Transparent, Color.Lime);
        var source = new AnimatedWebpBuilder(64, 64)
            .Frame(red, durationMs: 200)
            .Frame(blue, x: 16, y: 16, durationMs: 300, blend: false)
            .Frame(halfGreen, durationMs: 400, lossless: false) // lossy + ALPH, blended over what is there
            .Build();

        var result = await TestThumbnailer.CreateAsync(source, 800, 600, "scale", animated: true);

        Assert.Equal("image/gif", result.ContentType);
        using var image = TestThumbnailer.Decode(result);
        Assert.Equal(3, image.Frames.Count);
        Assert.Equal((64, 64), (image.Width, image.Height));
        var second = image.Frames[1];
        Assert.True(TestThumbnailer.IsMostly(second[32, 32], Color.Blue), $"centre of frame 2 is {second[32, 32]}");
        Assert.True(TestThumbnailer.IsMostly(second[4, 4], Color.Red), $"corner of frame 2 is {second[4, 4]}");
        var third = image.Frames[2];
        Assert.True(TestThumbnailer.IsMostly(third[20, 32], Color.Blue), $"left of frame 3 is {third[20, 32]}");
        Assert.True(TestThumbnailer.IsMostly(third[4, 4], Color.Red), $"corner of frame 3 is {third[4, 4]}");
        Assert.True(TestThumbnailer.IsMostly(third[60, 4], Color.Lime), $"right of frame 3 is {third[60, 4]}");
        Assert.Equal([20, 30, 40], image.Frames.Cast<ImageFrame<Rgba32>>().Select(f => f.Metadata.GetGifMetadata().FrameDelay));
    }

    [Fact]
    public async Task CreateAsync_AnimatedWebpDisposeToBackground_ClearsThePreviousFrame()
    {
        using var red = TestImages.Solid(64, 64, Color.Red);
        using var blue = TestImages.Solid(32, 32, Color.Blue);
        var source = new AnimatedWebpBuilder(64, 64)
            .Frame(red, disposeToBackground: true)
            .Frame(blue)
            .Build();

        var result = await TestThumbnailer.CreateAsync(source, 800, 600, "scale", animated: true);

        using var image = TestThumbnailer.Decode(result);
        var second = image.Frames[1];
        Assert.True(TestThumbnailer.IsMostly(second[8, 8], Color.Blue));
        Assert.Equal(0, second[48, 48].A);
    }

    [Fact]
    public async Task CreateAsync_AnimatedWebpStillWanted_GivesFirstFrame()
    {
        using var red = TestImages.Solid(64, 64, Color.Red);
        using var blue = TestImages.Solid(64, 64, Color.Blue);
        var source = new AnimatedWebpBuilder(64, 64).Frame(red).Frame(blue).Build();

        var result = await TestThumbnailer.CreateAsync(source, 32, 32, "crop", animated: false);

        Assert.Equal("image/jpeg", result.ContentType); // opaque WebP → JPEG
        using var image = TestThumbnailer.Decode(result);
        Assert.Equal((32, 32), (image.Width, image.Height));
        Assert.True(TestThumbnailer.IsMostly(image[16, 16], Color.Red));
    }

    [Fact]
    public async Task CreateAsync_AnimatedWebpFrameOutsideCanvas_IsInvalid()
    {
        using var red = TestImages.Solid(64, 64, Color.Red);
        var source = new AnimatedWebpBuilder(32, 32).Frame(red).Frame(red).Build();

        var error = await TestThumbnailer.FailsAsync(TestThumbnailer.CreateAsync(source, 32, 32, "crop", animated: true));

        Assert.Equal(ThumbnailErrorKind.Invalid, error.Kind);
    }
}
