using System.Diagnostics;
using System.Net.Sockets;
using Homeserver.Core.Configuration;

namespace Homeserver.Testing;

/// <summary>
/// Redis for the tests of several nodes: the one <c>tests/run.sh</c> starts (each test on a prefix of its own), or one
/// a test starts for itself to stop and restart. Without it the tests fail loudly, like <see cref="TestPostgres"/>.
/// </summary>
public static class TestRedis
{
    public const string EnvVar = "HOMESERVER_TEST_REDIS";

    public static string Address =>
        Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } address
            ? address
            : throw new InvalidOperationException($"{EnvVar} is not set: run the suite with tests/run.sh, which starts Redis, or start it with tests/redis.sh and set {EnvVar} to the host:port it prints.");

    /// <summary>The <c>redis</c> section for the shared Redis, on a prefix no other test uses.</summary>
    public static RedisOptions Options(string? address = null) =>
        new() { Enabled = true, Configuration = address ?? Address, Prefix = "hs-test-" + Guid.NewGuid().ToString("N")[..12] };

    /// <summary>A Redis of the test's own on a free loopback port, from the redis-server that tests/redis.sh installs.</summary>
    public static async Task<OwnRedis> StartOwnAsync()
    {
        var redis = new OwnRedis(TestPorts.Free());
        await redis.StartAsync();
        return redis;
    }

    public sealed class OwnRedis(int port) : IAsyncDisposable
    {
        private Process? _process;

        public string Address => $"127.0.0.1:{port}";

        public async Task StartAsync()
        {
            var psi = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no" })
                psi.ArgumentList.Add(a);
            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync("127.0.0.1", port);
                    return;
                }
                catch (SocketException)
                {
                    await Task.Delay(50);
                }
            }
            throw new TimeoutException($"redis-server did not listen on port {port}");
        }

        /// <summary>Kills it (SIGKILL): every client loses its connection at once.</summary>
        public async Task KillAsync()
        {
            if (_process is null)
                return;
            _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }

        public async ValueTask DisposeAsync() => await KillAsync();
    }
}
