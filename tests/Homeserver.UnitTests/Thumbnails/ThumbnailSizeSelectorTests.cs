using Homeserver.Core.Configuration;
using MediaRepo.Thumbnails;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

public sealed class ThumbnailSizeSelectorTests
{
    // Synapse's default sizes: crop 32x32, 96x96; scale 320x240, 640x480, 800x600.
    [Theory]
    [InlineData(1, 1, "crop", 32, 32, "crop")]
    [InlineData(32, 32, "crop", 32, 32, "crop")]
    [InlineData(33, 32, "crop", 96, 96, "crop")]
    [InlineData(50, 20, "crop", 96, 96, "crop")]
    [InlineData(96, 96, "crop", 96, 96, "crop")]
    [InlineData(97, 10, "crop", 96, 96, "crop")]
    [InlineData(1000, 1000, "crop", 96, 96, "crop")]
    [InlineData(1, 1, "scale", 320, 240, "scale")]
    [InlineData(320, 240, "scale", 320, 240, "scale")]
    [InlineData(321, 240, "scale", 640, 480, "scale")]
    [InlineData(320, 241, "scale", 640, 480, "scale")]
    [InlineData(640, 480, "scale", 640, 480, "scale")]
    [InlineData(700, 100, "scale", 800, 600, "scale")] // Synapse's ranking would pick the narrower 640x480 here
    [InlineData(800, 600, "scale", 800, 600, "scale")]
    [InlineData(801, 600, "scale", 800, 600, "scale")]
    [InlineData(4000, 3000, "scale", 800, 600, "scale")]
    [InlineData(96, 96, "CROP", 96, 96, "crop")]
    [InlineData(96, 96, "Scale", 320, 240, "scale")]
    public void Select_DefaultSizes_PicksSmallestCoveringElseLargest(int width, int height, string method,
        int expectedWidth, int expectedHeight, string expectedMethod)
    {
        var chosen = ThumbnailSizeSelector.Select(new MediaOptions(), width, height, method);

        Assert.NotNull(chosen);
        Assert.Equal((expectedWidth, expectedHeight, expectedMethod), (chosen.Width, chosen.Height, chosen.Method));
    }

    [Fact]
    public void Select_NoSizeOfRequestedMethod_FallsBackToTheOtherMethod()
    {
        ThumbnailSizeOptions small = new() { Width = 100, Height = 100, Method = "scale" };
        ThumbnailSizeOptions large = new() { Width = 500, Height = 500, Method = "scale" };
        ThumbnailSizeOptions crop = new() { Width = 64, Height = 64, Method = "crop" };

        Assert.Same(large, ThumbnailSizeSelector.Select([small, large], 200, 200, "crop"));
        Assert.Same(small, ThumbnailSizeSelector.Select([large, small], 50, 50, "crop"));
        Assert.Same(crop, ThumbnailSizeSelector.Select([crop], 640, 480, "scale"));
    }

    [Fact]
    public void Select_UnorderedConfig_StillPicksTheSmallestCoveringSize()
    {
        ThumbnailSizeOptions big = new() { Width = 1000, Height = 1000, Method = "crop" };
        ThumbnailSizeOptions mid = new() { Width = 200, Height = 200, Method = "crop" };
        ThumbnailSizeOptions tiny = new() { Width = 50, Height = 50, Method = "crop" };

        Assert.Same(mid, ThumbnailSizeSelector.Select([big, mid, tiny], 150, 60, "crop"));
        Assert.Same(big, ThumbnailSizeSelector.Select([tiny, big, mid], 2000, 10, "crop"));
    }

    [Fact]
    public void Select_IdenticalSizes_PicksTheFirstConfigured()
    {
        ThumbnailSizeOptions first = new() { Width = 64, Height = 64, Method = "crop" };
        ThumbnailSizeOptions second = new() { Width = 64, Height = 64, Method = "crop" };

        Assert.Same(first, ThumbnailSizeSelector.Select([first, second], 10, 10, "crop"));
        Assert.Same(first, ThumbnailSizeSelector.Select([first, second], 100, 100, "crop"));
    }

    [Fact]
    public void Select_NoSizesAtAll_ReturnsNull() =>
        Assert.Null(ThumbnailSizeSelector.Select([], 32, 32, "crop"));

    [Fact]
    public void Select_UnknownMethod_Throws() =>
        Assert.Throws<ArgumentException>(() => ThumbnailSizeSelector.Select(new MediaOptions(), 32, 32, "stretch"));
}
