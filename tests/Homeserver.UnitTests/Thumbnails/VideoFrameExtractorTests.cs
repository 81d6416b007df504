using Homeserver.Core.Configuration;
using Homeserver.Testing;
using MediaRepo.Thumbnails;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using Xunit;

namespace Homeserver.UnitTests.Thumbnails;

public sealed class VideoFrameExtractorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("thumbs-video-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ExtractFirstFrameAsync_Mp4_ReturnsPngOfTheVideoSize()
    {
        string video = MakeTestVideo("clip.mp4");
        var extractor = new VideoFrameExtractor(new MediaOptions { FfmpegPath = Ffmpeg.Path });

        byte[]? frame = await extractor.ExtractFirstFrameAsync(video, CancellationToken.None);

        Assert.NotNull(frame);
        Assert.IsType<PngFormat>(Image.DetectFormat(frame));
        var info = Image.Identify(frame);
        Assert.Equal((320, 240), (info.Width, info.Height));
    }

    [Fact]
    public async Task ExtractFirstFrameAsync_FrameThroughThumbnailer_GivesThumbnail()
    {
        string video = MakeTestVideo("clip.mp4");
        var options = new MediaOptions { FfmpegPath = Ffmpeg.Path };
        byte[] frame = (await new VideoFrameExtractor(options).ExtractFirstFrameAsync(video, CancellationToken.None))!;

        var thumbnail = await new ImageThumbnailer(options).CreateAsync(new MemoryStream(frame),
            new ThumbnailSizeOptions { Width = 96, Height = 96, Method = "crop" }, false, CancellationToken.None);

        Assert.Equal(("image/png", 96, 96), (thumbnail.ContentType, thumbnail.Width, thumbnail.Height));
    }

    [Fact]
    public async Task ExtractFirstFrameAsync_PathWithSpacesAndLeadingDash_IsTakenLiterally()
    {
        string video = MakeTestVideo("clip.mp4");
        string odd = Path.Combine(_directory, "-i my clip; rm -rf.mp4");
        File.Move(video, odd);
        var extractor = new VideoFrameExtractor(new MediaOptions { FfmpegPath = Ffmpeg.Path });

        Assert.NotNull(await extractor.ExtractFirstFrameAsync(odd, CancellationToken.None));
    }

    [Fact]
    public async Task ExtractFirstFrameAsync_NotAVideo_ReturnsNull()
    {
        string text = Path.Combine(_directory, "notes.mp4");
        await File.WriteAllTextAsync(text, "this is not a video");
        var extractor = new VideoFrameExtractor(new MediaOptions { FfmpegPath = Ffmpeg.Path });

        Assert.Null(await extractor.ExtractFirstFrameAsync(text, CancellationToken.None));
    }

    [Fact]
    public async Task ExtractFirstFrameAsync_Playlist_IsNotFollowed()
    {
        // An uploaded HLS playlist must not make ffmpeg read other files (or URLs) on the server's behalf.
        string video = MakeTestVideo("secret.mp4");
        string playlist = Path.Combine(_directory, "upload.m3u8");
        await File.WriteAllTextAsync(playlist, $"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:{video}\n#EXT-X-ENDLIST\n");
        var extractor = new VideoFrameExtractor(new MediaOptions { FfmpegPath = Ffmpeg.Path });

        Assert.Null(await extractor.ExtractFirstFrameAsync(playlist, CancellationToken.None));
    }

    [Fact]
    public async Task IsAvailableAsync_RealFfmpeg_IsTrue() =>
        Assert.True(await new VideoFrameExtractor(new MediaOptions { FfmpegPath = Ffmpeg.Path }).IsAvailableAsync(CancellationToken.None));

    [Fact]
    public async Task MissingFfmpeg_ReturnsNullAndIsNotAvailable()
    {
        string video = Path.Combine(_directory, "clip.mp4");
        await File.WriteAllBytesAsync(video, [0, 0, 0, 0x18, .. "ftypmp42"u8]);
        var extractor = new VideoFrameExtractor(new MediaOptions { FfmpegPath = Path.Combine(_directory, "no-such-ffmpeg") });

        Assert.Null(await extractor.ExtractFirstFrameAsync(video, CancellationToken.None));
        Assert.False(await extractor.IsAvailableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ExtractFirstFrameAsync_HangingFfmpeg_TimesOutAndIsKilledWithItsChildren()
    {
        if (OperatingSystem.IsWindows())
            return; // the stand-in for ffmpeg is a shell script
        string childPidFile = Path.Combine(_directory, "child.pid");
        string fake = Path.Combine(_directory, "ffmpeg");
        await File.WriteAllTextAsync(fake, $"#!/bin/sh\nsleep 60 &\necho $! > '{childPidFile}'\nwait\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new MediaOptions { FfmpegPath = fake, ThumbnailTimeout = new Duration(TimeSpan.FromSeconds(2)) };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ThumbnailException>(() =>
            new VideoFrameExtractor(options).ExtractFirstFrameAsync(Path.Combine(_directory, "any.mp4"), CancellationToken.None));

        Assert.Equal(ThumbnailErrorKind.Timeout, error.Kind);
        // The timeout leaves a loaded machine time to start the script and its child; the bound is far below the
        // child's 60 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.True(File.Exists(childPidFile), "the stand-in was stopped before it started its child");
        int child = int.Parse(await File.ReadAllTextAsync(childPidFile));
        Assert.True(await GoneAsync(child), $"child process {child} of the hung ffmpeg is still running");
    }

    private string MakeTestVideo(string name) => Ffmpeg.WriteTestVideo(Path.Combine(_directory, name));

    /// <summary>True once the process no longer runs (exited, or a zombie nobody has reaped yet).</summary>
    private static async Task<bool> GoneAsync(int pid)
    {
        for (int i = 0; i < 50; i++)
        {
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
                return true;
            try
            {
                string text = await File.ReadAllTextAsync(stat);
                if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z'))
                    return true;
            }
            catch (IOException)
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }
}
