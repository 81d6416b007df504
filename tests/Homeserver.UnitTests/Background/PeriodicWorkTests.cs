using Homeserver.Core.Background;
using Homeserver.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Homeserver.UnitTests.Background;

/// <summary>Periodic work logs a failing round with its exception, goes on with the next, and stops with the host.</summary>
public sealed class PeriodicWorkTests
{
    [Fact]
    public async Task FailingRounds_AreLoggedOnceWithTheException_AndRecoveryIsLogged()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var rounds = 0;
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = new PeriodicWork("Test work", TimeSpan.FromMilliseconds(10), _ =>
        {
            var round = Interlocked.Increment(ref rounds);
            if (round <= 3)
                throw new InvalidOperationException("disk on fire");
            if (round == 5)
                recovered.TrySetResult();
            return Task.CompletedTask;
        }, TimeProvider.System, factory.CreateLogger<PeriodicWork>());

        await work.StartAsync(default);
        await recovered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await work.StopAsync(default);

        var lines = logs.Lines.ToList();
        var failure = Assert.Single(lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        Assert.Contains("Test work failed (1 rounds in a row)", failure);
        Assert.Contains("disk on fire", failure);
        Assert.Contains(lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains("Test work works again after 3 failed rounds"));
        var stoppedAt = rounds;
        await Task.Delay(100);
        Assert.Equal(stoppedAt, rounds);
    }
}
