using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

public sealed class ImageThumbnailerMetadataTests
{
    private const string Secret = "Alice's flat, 51.5007N 0.1246W";

    [Fact]
    public async Task CreateAsync_JpegOrientedRotate90_ComesOutUpright()
    {
        // Stored landscape, red on the left; orientation 6 means "rotate 90° clockwise to show", so red ends on top.
        using var stored = TestImages.Bands(200, 100, Color.Red, Color.Blue);

        var result = await TestThumbnailer.CreateAsync(TestImages.JpegWithExif(stored, 6, Secret), 800, 600, "scale");

        using var image = TestThumbnailer.Decode(result);
        Assert.Equal((100, 200), (image.Width, image.Height));
        Assert.Equal((100, 200), (result.Width, result.Height));
        Assert.True(TestThumbnailer.IsMostly(image[50, 20], Color.Red), $"top is {image[50, 20]}");
        Assert.True(TestThumbnailer.IsMostly(image[50, 180], Color.Blue), $"bottom is {image[50, 180]}");
    }

    [Fact]
    public async Task CreateAsync_JpegOrientedRotate270_RotatesTheOtherWay()
    {
        using var stored = TestImages.Bands(200, 100, Color.Red, Color.Blue);

        var result = await TestThumbnailer.CreateAsync(TestImages.JpegWithExif(stored, 8, Secret), 800, 600, "scale");

        using var image = TestThumbnailer.Decode(result);
        Assert.Equal((100, 200), (image.Width, image.Height));
        Assert.True(TestThumbnailer.IsMostly(image[50, 20], Color.Blue), $"top is {image[50, 20]}");
    }

    [Fact]
    public async Task CreateAsync_OrientedJpeg_CropsThePortraitPicture()
    {
        using var stored = TestImages.Bands(400, 200, Color.Red, Color.Blue);

        var result = await TestThumbnailer.CreateAsync(TestImages.JpegWithExif(stored, 6, Secret), 320, 240, "scale");

        Assert.Equal((120, 240), (result.Width, result.Height));
    }

    [Fact]
    public async Task CreateAsync_JpegWithExif_OutputHasNoExif()
    {
        using var stored = TestImages.Bands(200, 100, Color.Red, Color.Blue);
        var source = TestImages.JpegWithExif(stored, 6, Secret);
        Assert.Contains(Secret, Encoding.Latin1.GetString(source)); // the input really carries it

        var result = await TestThumbnailer.CreateAsync(source, 96, 96, "crop");

        var info = Image.Identify(result.Content);
        Assert.Null(info.Metadata.ExifProfile);
        Assert.Null(info.Metadata.IccProfile);
        Assert.Null(info.Metadata.XmpProfile);
        string text = Encoding.Latin1.GetString(result.Content);
        Assert.DoesNotContain("Exif", text);
        Assert.DoesNotContain(Secret, text);
    }

    [Fact]
    public async Task CreateAsync_PngWithExifAndText_OutputHasNeither()
    {
        using var stored = TestImages.Bands(200, 100, Color.Red, Color.Blue);
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Artist, Secret);
        stored.Metadata.GetPngMetadata().TextData.Add(new PngTextData("Comment", Secret, "", ""));
        var source = TestImages.Png(stored);
        Assert.Contains(Secret, Encoding.Latin1.GetString(source));

        var result = await TestThumbnailer.CreateAsync(source, 96, 96, "scale");

        string text = Encoding.Latin1.GetString(result.Content);
        Assert.DoesNotContain(Secret, text);
        Assert.DoesNotContain("eXIf", text);
        Assert.DoesNotContain("tEXt", text);
        Assert.DoesNotContain("iTXt", text);
        Assert.Null(Image.Identify(result.Content).Metadata.ExifProfile);
    }
}
