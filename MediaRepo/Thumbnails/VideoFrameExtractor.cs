using System.ComponentModel;
using System.Diagnostics;
using Homeserver.Core.Configuration;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Gets the first frame of a video as PNG by running ffmpeg, whose output then goes through
/// <see cref="ImageThumbnailer"/> like any uploaded PNG. Videos simply get no thumbnail when ffmpeg is missing.
/// </summary>
public sealed class VideoFrameExtractor(MediaOptions options)
{
    // Demuxers for real video containers only. Without this ffmpeg would also open playlists (HLS, concat, ...)
    // found in an upload, and follow them to other local files or URLs.
    private const string AllowedDemuxers = "mov,mp4,matroska,webm,avi,mpegts,mpeg,ogg,flv,asf";

    private int _availability; // 0 unknown, 1 available, 2 not available

    /// <summary>
    /// Whether <see cref="MediaOptions.FfmpegPath"/> runs. The answer is remembered for the life of the process
    /// (installing ffmpeg needs a restart to be noticed).
    /// </summary>
    public async Task<bool> IsAvailableAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _availability) is var known && known != 0)
            return known == 1;
        bool available;
        try
        {
            var run = await RunAsync(["-hide_banner", "-version"], ct).ConfigureAwait(false);
            available = run is { ExitCode: 0 };
        }
        catch (ThumbnailException)
        {
            available = false;
        }
        Volatile.Write(ref _availability, available ? 1 : 2);
        return available;
    }

    /// <returns>The first video frame as PNG bytes; null when ffmpeg is not installed or cannot read the file.</returns>
    /// <exception cref="ThumbnailException">Kind Timeout when ffmpeg runs past the thumbnail timeout (it is killed),
    /// TooLarge when the frame is bigger than <see cref="MediaOptions.MaxThumbnailSourceSize"/>.</exception>
    public async Task<byte[]?> ExtractFirstFrameAsync(string path, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string[] arguments =
        [
            "-nostdin", "-hide_banner", "-v", "error",
            "-protocol_whitelist", "file", "-format_whitelist", AllowedDemuxers,
            // "file:" keeps a path from being read as a protocol ("concat:", "http:") or an option ("-...").
            "-i", "file:" + Path.GetFullPath(path),
            "-frames:v", "1", "-an", "-sn", "-dn",
            "-f", "image2pipe", "-vcodec", "png", "-",
        ];
        var run = await RunAsync(arguments, ct).ConfigureAwait(false);
        return run is { ExitCode: 0, Output.Length: > 0 } ? run.Output : null;
    }

    private sealed record Run(int ExitCode, byte[] Output);

    /// <returns>Null when the binary cannot be started.</returns>
    private async Task<Run?> RunAsync(IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(options.FfmpegPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = start };
        try
        {
            if (!process.Start())
                return null;
        }
        catch (Win32Exception)
        {
            Volatile.Write(ref _availability, 2);
            return null;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.ThumbnailTimeout.Value);
        try
        {
            process.StandardInput.Close(); // and -nostdin: ffmpeg must never wait for keyboard input
        }
        catch (IOException)
        {
            // Already exited; the exit code tells the rest.
        }
        var output = ReadCappedAsync(process.StandardOutput.BaseStream, options.MaxThumbnailSourceSize.Bytes, deadline.Token);
        // Drained so ffmpeg never blocks on a full stderr pipe; its text is not needed (the exit code says enough).
        var errors = process.StandardError.BaseStream.CopyToAsync(Stream.Null, deadline.Token);
        try
        {
            // WaitAsync: a pipe read may not notice cancellation, the deadline must still hold.
            byte[] bytes = await output.WaitAsync(deadline.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            await errors.WaitAsync(deadline.Token).ConfigureAwait(false);
            return new Run(process.ExitCode, bytes);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ThumbnailException(ThumbnailErrorKind.Timeout, $"ffmpeg took longer than {options.ThumbnailTimeout}.");
        }
        finally
        {
            KillTree(process);
            Observe(output);
            Observe(errors);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, long cap, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > cap)
                throw new ThumbnailException(ThumbnailErrorKind.TooLarge, $"The video frame is over {cap} bytes as PNG.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (Win32Exception)
        {
            // Exiting while being killed; nothing left to stop.
        }
    }

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
