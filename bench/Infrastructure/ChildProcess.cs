using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Homeserver.Bench.Infrastructure;

/// <summary>A server under test in its own process: started, probed until it answers, measured through /proc, killed.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private ChildProcess(Process process, Uri baseAddress, TimeSpan startup)
    {
        Process = process;
        BaseAddress = baseAddress;
        Startup = startup;
    }

    public Process Process { get; }
    public Uri BaseAddress { get; }
    /// <summary>From process start to the first answered probe.</summary>
    public TimeSpan Startup { get; }

    public static async Task<ChildProcess> StartAsync(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> env,
        int port, string probePath, CancellationToken ct, string? logFile = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            psi.Environment[k] = v;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var log = logFile is null ? null : TextWriter.Synchronized(new StreamWriter(logFile, append: true) { AutoFlush = true });
        var started = Stopwatch.GetTimestamp();
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + dll);
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) log?.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            log?.WriteLine(e.Data);
            if (errors.Count < 50)
                errors.Enqueue(e.Data);
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        using var probe = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                if ((await probe.GetAsync(probePath, ct)).IsSuccessStatusCode)
                    return new ChildProcess(p, baseAddress, Stopwatch.GetElapsedTime(started));
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            if (p.HasExited)
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited with {p.ExitCode}: {string.Join('\n', errors)}");
            await Task.Delay(5, ct);
        }
        p.Kill(entireProcessTree: true);
        throw new TimeoutException($"{Path.GetFileName(dll)} did not answer within 60 s");
    }

    public long RssBytes() => StatusField("VmRSS:");

    /// <summary>Peak RSS since the last <see cref="ResetPeakRss"/> (VmHWM).</summary>
    public long PeakRssBytes() => StatusField("VmHWM:");

    /// <summary>Writing 5 to clear_refs resets the kernel's peak-RSS mark, so a peak can be measured per phase.</summary>
    public void ResetPeakRss()
    {
        try
        {
            File.WriteAllText($"/proc/{Process.Id}/clear_refs", "5");
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>RSS once the collector has had a moment: the figure a steady state costs, not a transient.</summary>
    public async Task<long> SettledRssAsync(TimeSpan interval, CancellationToken ct)
    {
        long last = 0;
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(interval, ct);
            var now = RssBytes();
            if (Math.Abs(now - last) < 256 * 1024)
                return now;
            last = now;
        }
        return last;
    }

    /// <summary>
    /// Waits until the process is nearly idle (under a tenth of a core over half a second), so work queued by a
    /// setup phase (registrations, joins) is not measured as the next phase's latency.
    /// </summary>
    public async Task<TimeSpan> WaitQuietAsync(TimeSpan atMost, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var until = Stopwatch.GetTimestamp() + (long)(atMost.TotalSeconds * Stopwatch.Frequency);
        Process.Refresh();
        var last = Process.TotalProcessorTime;
        while (Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(500, ct);
            Process.Refresh();
            var now = Process.TotalProcessorTime;
            if ((now - last).TotalMilliseconds < 50)
                break;
            last = now;
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private long StatusField(string name)
    {
        foreach (var line in File.ReadLines($"/proc/{Process.Id}/status"))
            if (line.StartsWith(name, StringComparison.Ordinal))
                return 1024 * long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return 0;
    }

    public static int FreePort()
    {
        var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process.Dispose();
    }
}
