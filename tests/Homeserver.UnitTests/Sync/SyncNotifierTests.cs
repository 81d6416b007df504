using Homeserver.Core.Sync;
using Xunit;

namespace Homeserver.UnitTests.Sync;

/// <summary>The notifier wakes exactly the users named, so an event's cost follows its audience, not the number of waiting clients.</summary>
public sealed class SyncNotifierTests
{
    [Fact]
    public async Task Notify_WakesOnlyTheNamedUsers_AmongManyWaiters()
    {
        var notifier = new SyncNotifier();
        var waiters = Enumerable.Range(0, 1000).Select(i => $"@u{i}:hs").ToList();
        var waits = waiters.ToDictionary(u => u, u => notifier.WaitAsync(u, notifier.Version(u), TimeSpan.FromMinutes(1), CancellationToken.None));

        notifier.Notify(["@u3:hs", "@u500:hs"]);
        await Task.WhenAll(waits["@u3:hs"], waits["@u500:hs"]).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(998, waits.Count(kv => !kv.Value.IsCompleted));
        Assert.Equal(1, notifier.Version("@u3:hs"));
        Assert.Equal(0, notifier.Version("@u4:hs"));
    }

    [Fact]
    public async Task Wait_AfterANotificationItHasNotSeen_ReturnsAtOnce()
    {
        var notifier = new SyncNotifier();
        var seen = notifier.Version("@a:hs");
        notifier.Notify(["@a:hs"]);
        var wait = notifier.WaitAsync("@a:hs", seen, TimeSpan.FromMinutes(1), CancellationToken.None);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Wait_WithNothingNew_EndsAtTheTimeout()
    {
        var notifier = new SyncNotifier();
        var wait = notifier.WaitAsync("@a:hs", notifier.Version("@a:hs"), TimeSpan.FromMilliseconds(50), CancellationToken.None);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, notifier.Version("@a:hs"));
    }

    [Fact]
    public void NothingSince_HoldsOnlyForTheTokenObservedLast_UntilTheUserIsNotified()
    {
        var notifier = new SyncNotifier();
        var version = notifier.Version("@a:hs");
        var upto = new SyncToken(events: 7, accountData: 2);
        Assert.False(notifier.NothingSince("@a:hs", upto, version));

        notifier.Observed("@a:hs", version, upto);
        notifier.Notify(["@b:hs"]);

        Assert.True(notifier.NothingSince("@a:hs", upto, version));
        Assert.False(notifier.NothingSince("@a:hs", new SyncToken(events: 6, accountData: 2), version));
        Assert.False(notifier.NothingSince("@b:hs", upto, notifier.Version("@b:hs")));
        notifier.Notify(["@a:hs"]);
        Assert.False(notifier.NothingSince("@a:hs", upto, version));
        Assert.False(notifier.NothingSince("@a:hs", upto, notifier.Version("@a:hs")));
    }
}
