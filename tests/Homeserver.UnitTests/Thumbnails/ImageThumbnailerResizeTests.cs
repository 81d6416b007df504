using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

public sealed class ImageThumbnailerResizeTests
{
    [Theory]
    [InlineData(1000, 500, 96, 96, "crop", 96, 96)]
    [InlineData(1000, 500, 32, 32, "crop", 32, 32)]
    [InlineData(200, 40, 32, 32, "crop", 32, 32)] // covers the box: resize to 160x32, cut the middle
    [InlineData(500, 1000, 320, 240, "crop", 320, 240)]
    [InlineData(1000, 500, 320, 240, "scale", 320, 160)]
    [InlineData(1000, 500, 640, 480, "scale", 640, 320)]
    [InlineData(500, 1000, 320, 240, "scale", 120, 240)]
    [InlineData(800, 600, 800, 600, "scale", 800, 600)]
    [InlineData(1001, 3, 320, 240, "scale", 320, 1)] // never rounds a side to zero
    public async Task CreateAsync_LargeSource_HasExpectedSize(int sourceWidth, int sourceHeight, int boxWidth, int boxHeight,
        string method, int expectedWidth, int expectedHeight)
    {
        var result = await TestThumbnailer.CreateAsync(TestImages.Png(sourceWidth, sourceHeight), boxWidth, boxHeight, method);

        using var image = TestThumbnailer.Decode(result);
        Assert.Equal((expectedWidth, expectedHeight), (result.Width, result.Height));
        Assert.Equal((expectedWidth, expectedHeight), (image.Width, image.Height));
    }

    [Theory]
    [InlineData(100, 50, 800, 600, "scale", 100, 50)] // fits: kept as is
    [InlineData(50, 30, 96, 96, "crop", 30, 30)] // box shape cut from the middle, not enlarged
    [InlineData(60, 200, 96, 96, "crop", 60, 60)]
    [InlineData(200, 40, 96, 96, "crop", 40, 40)]
    [InlineData(100, 100, 320, 240, "crop", 100, 75)]
    public async Task CreateAsync_SmallSource_IsNeverUpscaled(int sourceWidth, int sourceHeight, int boxWidth, int boxHeight,
        string method, int expectedWidth, int expectedHeight)
    {
        var result = await TestThumbnailer.CreateAsync(TestImages.Png(sourceWidth, sourceHeight), boxWidth, boxHeight, method);

        using var image = TestThumbnailer.Decode(result);
        Assert.Equal((expectedWidth, expectedHeight), (image.Width, image.Height));
        Assert.True(image.Width <= sourceWidth && image.Height <= sourceHeight);
    }

    [Fact]
    public async Task CreateAsync_Crop_KeepsTheCentre()
    {
        using var source = TestImages.Bands(300, 100, Color.Red, Color.Lime, Color.Blue);

        var result = await TestThumbnailer.CreateAsync(TestImages.Png(source), 96, 96, "crop");

        using var image = TestThumbnailer.Decode(result);
        Assert.Equal((96, 96), (image.Width, image.Height));
        Assert.True(TestThumbnailer.IsMostly(image[48, 48], Color.Lime));
        Assert.True(TestThumbnailer.IsMostly(image[4, 48], Color.Lime), $"left edge is {image[4, 48]}");
        Assert.True(TestThumbnailer.IsMostly(image[91, 48], Color.Lime), $"right edge is {image[91, 48]}");
    }

    [Fact]
    public async Task CreateAsync_Scale_KeepsTheWholePicture()
    {
        using var source = TestImages.Bands(300, 100, Color.Red, Color.Lime, Color.Blue);

        var result = await TestThumbnailer.CreateAsync(TestImages.Png(source), 96, 96, "scale");

        using var image = TestThumbnailer.Decode(result);
        Assert.Equal((96, 32), (image.Width, image.Height));
        Assert.True(TestThumbnailer.IsMostly(image[2, 16], Color.Red));
        Assert.True(TestThumbnailer.IsMostly(image[93, 16], Color.Blue));
    }

    [Fact]
    public async Task CreateAsync_Jpeg_GivesJpeg()
    {
        var result = await TestThumbnailer.CreateAsync(TestImages.Jpeg(400, 300), 96, 96, "crop");

        Assert.Equal("image/jpeg", result.ContentType);
        Assert.Equal("image/jpeg", TestThumbnailer.SniffedType(result));
    }

    [Fact]
    public async Task CreateAsync_Png_GivesPng()
    {
        var result = await TestThumbnailer.CreateAsync(TestImages.Png(400, 300), 96, 96, "crop");

        Assert.Equal("image/png", result.ContentType);
        Assert.Equal("image/png", TestThumbnailer.SniffedType(result));
    }

    [Fact]
    public async Task CreateAsync_StillGif_GivesPng()
    {
        using var source = TestImages.Solid(200, 100, Color.Blue);

        var result = await TestThumbnailer.CreateAsync(TestImages.Gif(source), 32, 32, "crop", animated: true);

        Assert.Equal("image/png", result.ContentType);
        Assert.Equal("image/png", TestThumbnailer.SniffedType(result));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CreateAsync_OpaqueWebp_GivesJpeg(bool lossless)
    {
        using var source = TestImages.Bands(400, 300, Color.Red, Color.Blue);

        var result = await TestThumbnailer.CreateAsync(TestImages.Webp(source, lossless), 320, 240, "scale");

        Assert.Equal("image/jpeg", result.ContentType);
        Assert.Equal("image/jpeg", TestThumbnailer.SniffedType(result));
        Assert.Equal((320, 240), (result.Width, result.Height));
    }

    [Fact]
    public async Task CreateAsync_TransparentWebp_GivesPngThatKeepsTransparency()
    {
        using var source = TestImages.Bands(400, 300, Color.Transparent, Color.Red);

        var result = await TestThumbnailer.CreateAsync(TestImages.Webp(source, lossless: true), 96, 96, "scale");

        Assert.Equal("image/png", result.ContentType);
        using var image = TestThumbnailer.Decode(result);
        Assert.Equal(0, image[5, 36].A);
        Assert.True(TestThumbnailer.IsMostly(image[90, 36], Color.Red));
    }

    [Fact]
    public async Task CreateAsync_TransparentPng_KeepsTransparency()
    {
        using var source = TestImages.Bands(200, 100, Color.Transparent, Color.Red);

        var result = await TestThumbnailer.CreateAsync(TestImages.Png(source), 96, 96, "scale");

        using var image = TestThumbnailer.Decode(result);
        Assert.Equal(0, image[5, 20].A);
        Assert.Equal(255, image[90, 20].A);
    }
}
