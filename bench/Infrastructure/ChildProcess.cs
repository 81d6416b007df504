using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Homeserver.Bench.Infrastructure;

/// <summary>The arguments and environment that start a child listening on a given port.</summary>
public sealed record ChildCommand(IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment);

/// <summary>A server under test in its own process: started, probed until it answers, measured through /proc, killed.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 50;
    // A free port can be taken by another program between choosing it and the child binding it.
    private const int PortAttempts = 5;

    private readonly string _name;
    private readonly ConcurrentQueue<string> _output;

    private ChildProcess(string name, Process process, ConcurrentQueue<string> output, Uri baseAddress, TimeSpan startup)
    {
        _name = name;
        Process = process;
        _output = output;
        BaseAddress = baseAddress;
        Startup = startup;
    }

    public Process Process { get; }
    public Uri BaseAddress { get; }
    /// <summary>From process start to the first answered probe.</summary>
    public TimeSpan Startup { get; }

    /// <summary>
    /// Starts the child on a free port and waits until it answers <paramref name="probePath"/> from a socket it
    /// holds itself; when another program holds the port, the child is started again on another one.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(string dll, Func<int, ChildCommand> command, string probePath, CancellationToken ct,
        string? logFile = null)
    {
        var name = Path.GetFileName(dll);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var (p, output, started) = Launch(dll, command(port), logFile);
            var baseAddress = new Uri($"http://127.0.0.1:{port}");
            using var probe = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                try
                {
                    if ((await probe.GetAsync(probePath, ct)).IsSuccessStatusCode && ListeningSocket.IsHeldBy(p.Id, port))
                        return new ChildProcess(name, p, output, baseAddress, Stopwatch.GetElapsedTime(started));
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
                if (p.HasExited)
                    break;
                await Task.Delay(5, ct);
            }
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{name} did not answer within 60 s");
            }
            await p.WaitForExitAsync(ct);
            if (attempt == PortAttempts || !ListeningSocket.IsInUse(port))
                throw new ChildExitedException(name, p.Id, p.ExitCode, output);
            Console.WriteLine($"  port {port} was taken by another program; starting {name} again on another port");
            p.Dispose();
        }
    }

    private static (Process Process, ConcurrentQueue<string> Output, long Started) Launch(string dll, ChildCommand command, string? logFile)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in command.Args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in command.Environment)
            psi.Environment[k] = v;
        var output = new ConcurrentQueue<string>();
        var log = logFile is null ? null : TextWriter.Synchronized(new StreamWriter(logFile, append: true) { AutoFlush = true });
        void Keep(string? line)
        {
            if (line is null)
                return;
            log?.WriteLine(line);
            output.Enqueue(line);
            while (output.Count > OutputLinesKept)
                output.TryDequeue(out _);
        }
        var started = Stopwatch.GetTimestamp();
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + dll);
        p.OutputDataReceived += (_, e) => Keep(e.Data);
        p.ErrorDataReceived += (_, e) => Keep(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return (p, output, started);
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
        var last = CpuTime();
        while (Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(500, ct);
            var now = CpuTime();
            if ((now - last).TotalMilliseconds < 50)
                break;
            last = now;
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private TimeSpan CpuTime()
    {
        try
        {
            Process.Refresh();
            return Process.TotalProcessorTime;
        }
        catch (InvalidOperationException) when (Process.HasExited)
        {
            throw Exited();
        }
    }

    // /proc/PID vanishes once an exited child is reaped; reading it then names the file, not the child's death.
    private long StatusField(string name)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Process.Id}/status"))
                if (line.StartsWith(name, StringComparison.Ordinal))
                    return 1024 * long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) when (Process.HasExited)
        {
            throw Exited();
        }
        if (Process.HasExited)
            throw Exited();
        return 0;
    }

    private ChildExitedException Exited()
    {
        Process.WaitForExit();
        return new ChildExitedException(_name, Process.Id, Process.ExitCode, _output);
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
