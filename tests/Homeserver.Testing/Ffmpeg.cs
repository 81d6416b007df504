using System.Diagnostics;

namespace Homeserver.Testing;

/// <summary>ffmpeg for the video tests, unit and integration, which say it is missing rather than fail on a raw start error.</summary>
public static class Ffmpeg
{
    /// <summary>
    /// ffmpeg on PATH. The video tests fail rather than skip without it (tests/run.sh installs it), so a machine
    /// without ffmpeg cannot pass them silently.
    /// </summary>
    public static string Path => Found.Value;

    private static readonly Lazy<string> Found = new(() => Locate(Environment.GetEnvironmentVariable("PATH")));

    /// <summary>ffmpeg in a directory of <paramref name="pathVariable"/>; the exception says it is missing, by name.</summary>
    public static string Locate(string? pathVariable) =>
        (pathVariable ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "ffmpeg"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("ffmpeg is not on PATH; the video tests need it (tests/run.sh installs it, Debian package ffmpeg).");

    /// <summary>Runs ffmpeg to make test media; throws when it fails so a broken fixture is not mistaken for a bug.</summary>
    public static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000) || process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed: {errors}");
    }

    /// <summary>One second of ffmpeg's test pattern at 320x240, as MP4, written to <paramref name="path"/>.</summary>
    public static string WriteTestVideo(string path)
    {
        Run("-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1", "-pix_fmt", "yuv420p", path);
        return path;
    }

    public static Task<byte[]> TestVideoAsync() =>
        File.ReadAllBytesAsync(WriteTestVideo(System.IO.Path.Combine(Directory.CreateTempSubdirectory("hs-video-").FullName, "v.mp4")));
}
