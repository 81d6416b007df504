using System.Diagnostics;

namespace Homeserver.UnitTests.Thumbnails;

internal static class Ffmpeg
{
    /// <summary>
    /// ffmpeg on PATH. The video tests fail rather than skip without it (tests/run.sh installs it), so a machine
    /// without ffmpeg cannot pass them silently.
    /// </summary>
    public static string Path => Found ?? throw new InvalidOperationException("ffmpeg is not on PATH; the video thumbnail tests need it (tests/run.sh installs it).");

    private static readonly string? Found = Find();

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

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "ffmpeg"))
            .FirstOrDefault(File.Exists);
}
