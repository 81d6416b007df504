using System.Diagnostics;

namespace Homeserver.Bench.Infrastructure;

/// <summary>
/// CPU used by the generator (this process) and by the server over one measured interval, as a share of the
/// machine: a generator near 100% means the figures measure the generator, not the server.
/// </summary>
public sealed class CpuMeter
{
    private readonly Process? _server;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _ownStart;
    private readonly TimeSpan _serverStart;

    public CpuMeter(Process? server)
    {
        _server = server;
        _ownStart = Process.GetCurrentProcess().TotalProcessorTime;
        _serverStart = ServerCpu();
    }

    /// <summary>Shares of the machine over the interval, and the server's CPU seconds (which other load on the machine does not inflate).</summary>
    public (double GeneratorPercent, double ServerPercent, double ServerSeconds) Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds * Environment.ProcessorCount;
        var own = (Process.GetCurrentProcess().TotalProcessorTime - _ownStart).TotalSeconds;
        var server = (ServerCpu() - _serverStart).TotalSeconds;
        return (Math.Round(100 * own / wall, 1), Math.Round(100 * server / wall, 1), server);
    }

    private TimeSpan ServerCpu()
    {
        if (_server is null)
            return TimeSpan.Zero;
        try
        {
            _server.Refresh();
            return _server.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }
}
