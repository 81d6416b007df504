using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Host;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.Durability;

/// <summary>The server as a separate process, so a test can kill it with SIGKILL and start it again on the same data.</summary>
public static class ServerProcess
{
    /// <param name="environment">Overrides of config keys (<c>HOMESERVER__…</c>), for nodes that share one config file.</param>
    public static Task<Process> StartAsync(string config, Uri baseUrl, IReadOnlyDictionary<string, string>? environment = null) =>
        TestServerProcess.StartAsync(config, baseUrl, environment);

    /// <summary>
    /// Runs the executable with <paramref name="args"/> to its end, as an operator runs it. With
    /// <paramref name="unprivileged"/> it runs as <c>nobody</c> when the tests run as root, for whom no file is read-only.
    /// </summary>
    public static async Task<(int Exit, string Out, string Err)> RunToExitAsync(IEnumerable<string> args, bool unprivileged = false)
    {
        var asNobody = unprivileged && Environment.UserName == "root";
        var psi = new ProcessStartInfo(asNobody ? "setpriv" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asNobody)
            foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" })
                psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(typeof(HomeserverApp).Assembly.Location);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"still running after 60 s: {string.Join(' ', args)}");
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Registers through UIA's dummy stage and returns the access token.</summary>
    public static async Task<string> RegisterAsync(HttpClient c, string username)
    {
        var challenge = await (await c.PostAsJsonAsync("/_matrix/client/v3/register", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var done = await c.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username, password = TestHomeserver.DefaultPassword,
            auth = new { type = "m.login.dummy", session = challenge.GetProperty("session").GetString() },
        });
        return (await done.AssertOkAsync()).GetProperty("access_token").GetString()!;
    }

    public static int FreePort() => TestPorts.Free();
}
