using System.Collections.Concurrent;
using System.Diagnostics;
using Homeserver.Host;

namespace Homeserver.Testing;

/// <summary>The server as a separate process, so a test can kill it with SIGKILL and start it again on the same data.</summary>
public static class TestServerProcess
{
    /// <summary>
    /// Starts the executable on <paramref name="config"/> with the test defaults (open registration, no rate limits) and
    /// <paramref name="environment"/>'s overrides, and waits until <paramref name="baseUrl"/> answers. Each line the server
    /// writes to its standard output (its log) goes to <paramref name="output"/> when given.
    /// </summary>
    public static async Task<Process> StartAsync(string config, Uri baseUrl, IReadOnlyDictionary<string, string>? environment = null,
        Action<string>? output = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(HomeserverApp).Assembly.Location);
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        psi.Environment["HOMESERVER__REGISTRATION__ENABLED"] = "true";
        psi.Environment["HOMESERVER__RATE_LIMITS__ENABLED"] = "false";
        psi.Environment["HOMESERVER__LOG_LEVEL"] = "warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            psi.Environment[name] = value;
        var p = Process.Start(psi)!;
        var errors = new ConcurrentQueue<string>();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output?.Invoke(e.Data);
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && errors.Count < 50)
                errors.Enqueue(e.Data);
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var probe = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 150; i++)
        {
            try
            {
                if ((await probe.GetAsync("/_matrix/client/versions")).IsSuccessStatusCode)
                    return p;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (p.HasExited)
                throw new InvalidOperationException($"server exited with {p.ExitCode}: {string.Join('\n', errors)}");
            await Task.Delay(200);
        }
        p.Kill(entireProcessTree: true);
        throw new TimeoutException("server did not start");
    }
}
