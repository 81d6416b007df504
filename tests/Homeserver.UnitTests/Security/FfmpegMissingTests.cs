using Homeserver.Testing;
using Xunit;

namespace Homeserver.UnitTests.Security;

/// <summary>
/// Issue 13, finding 20: with ffmpeg missing (its install had failed on a held package lock), the integration
/// video tests failed on a raw "No such file or directory" that named nothing. Every video test, unit and
/// integration, now finds ffmpeg through <see cref="Ffmpeg"/>, which says by name what is missing.
/// </summary>
public sealed class FfmpegMissingTests
{
    [Fact]
    public void WithoutFfmpegOnThePath_TheVideoTestsSayItIsMissing()
    {
        var empty = Directory.CreateTempSubdirectory("no-ffmpeg-").FullName;

        var missing = Assert.Throws<InvalidOperationException>(() => Ffmpeg.Locate(empty));

        Assert.Contains("ffmpeg is not on PATH", missing.Message);
        Assert.Contains("tests/run.sh", missing.Message);
    }

    [Fact]
    public void FfmpegOnThePath_IsFound()
    {
        var dir = Directory.CreateTempSubdirectory("ffmpeg-").FullName;
        var fake = Path.Combine(dir, "ffmpeg");
        File.WriteAllText(fake, "");

        Assert.Equal(fake, Ffmpeg.Locate(string.Join(Path.PathSeparator, "/nonexistent", dir)));
    }
}
