using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Host;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.Durability;

/// <summary>The server as a separate process, so a test can kill it with SIGKILL and start it again on the same data.</summary>
public static class ServerProcess
{
    public static async Task<Process> StartAsync(string config, Uri baseUrl)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(HomeserverApp).Assembly.Location);
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        psi.Environment["HOMESERVER__REGISTRATION__ENABLED"] = "true";
        psi.Environment["HOMESERVER__RATE_LIMITS__ENABLED"] = "false";
        psi.Environment["HOMESERVER__LOG_LEVEL"] = "warning";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
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
                throw new InvalidOperationException($"server exited with {p.ExitCode}");
            await Task.Delay(200);
        }
        p.Kill(entireProcessTree: true);
        throw new TimeoutException("server did not start");
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

    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
