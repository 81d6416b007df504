using System.Diagnostics;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Scenarios;
using Homeserver.Host;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 21: the bench smoke test failed with DirectoryNotFoundException on /proc/PID/status, a
/// measured child gone with neither exit code nor output recorded. The child had not answered the start probe
/// itself: on a shared machine another program took its port first, answered the probe, and the child exited
/// unable to bind. The bench now accepts only an answer from a socket the child holds (starting it again on
/// another port otherwise), and a measurement of a child that has exited reports its exit code and last output.
/// </summary>
public sealed class BenchChildExitTests
{
    [Fact]
    public async Task MeasuringAChildThatHasExited_ReportsItsExitCodeAndOutput()
    {
        await using var child = await BenchContext.StartBaselineAsync(CancellationToken.None);
        child.Process.Kill(entireProcessTree: true);
        await child.Process.WaitForExitAsync();

        var exited = Assert.Throws<ChildExitedException>(() => child.RssBytes());
        Assert.Equal(child.Process.ExitCode, exited.ExitCode);
        Assert.Contains($"pid {child.Process.Id}", exited.Message);
        await Assert.ThrowsAsync<ChildExitedException>(() => child.WaitQuietAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact]
    public async Task AChildThatCannotStart_IsReportedWithItsExitCodeAndOutput()
    {
        var config = Path.Combine(Directory.CreateTempSubdirectory("hs-bench-exit-").FullName, "homeserver.yaml");
        await File.WriteAllTextAsync(config, "server_name: bench.test\nno_such_key: 1\n");

        var exited = await Assert.ThrowsAsync<ChildExitedException>(() => ChildProcess.StartAsync(typeof(HomeserverApp).Assembly.Location,
            _ => new(["run", "--config", config], new Dictionary<string, string>()), "/_matrix/client/versions", CancellationToken.None));

        Assert.Equal(2, exited.ExitCode);
        Assert.Contains("no_such_key", exited.Message);
    }

    [Fact]
    public async Task AnAnswerOnThePort_CountsOnlyFromTheProcessHoldingIt()
    {
        await using var other = await TestHomeserver.StartAsync("sqlite");
        var port = other.BaseAddress.Port;
        using var child = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            Assert.True(ListeningSocket.IsInUse(port));
            Assert.True(ListeningSocket.IsHeldBy(Environment.ProcessId, port));
            Assert.False(ListeningSocket.IsHeldBy(child.Id, port));
        }
        finally
        {
            child.Kill();
        }
    }
}
