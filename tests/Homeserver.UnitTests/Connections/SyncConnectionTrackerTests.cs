using Homeserver.Core.Connections;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.Connections;

public sealed class SyncConnectionTrackerTests
{
    private static readonly UserId A = UserId.Parse("@a:hs");

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Device_IsSyncingWhileLive_AndForTheGraceAfter()
    {
        var clock = new ManualClock();
        var tracker = new SyncConnectionTracker(clock);
        Assert.False(tracker.IsSyncing("@a:hs", "D", TimeSpan.FromSeconds(30)));
        var live = tracker.Begin(A, "D", webSocket: false);
        Assert.True(tracker.IsSyncing("@a:hs", "D", TimeSpan.Zero));
        Assert.False(tracker.IsSyncing("@a:hs", "OTHER", TimeSpan.FromSeconds(30)));
        live.Dispose();
        live.Dispose();
        Assert.False(tracker.IsSyncing("@a:hs", "D", TimeSpan.Zero));
        clock.Now += TimeSpan.FromSeconds(10);
        Assert.True(tracker.IsSyncing("@a:hs", "D", TimeSpan.FromSeconds(30)));
        Assert.True(tracker.IsUserSyncing("@a:hs", TimeSpan.FromSeconds(30)));
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.False(tracker.IsSyncing("@a:hs", "D", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void LastWebSocketClosed_FiresOnlyWhenTheUsersLastSocketCloses()
    {
        var tracker = new SyncConnectionTracker(new ManualClock());
        var closed = new List<string>();
        tracker.LastWebSocketClosed += closed.Add;
        var one = tracker.Begin(A, "D1", webSocket: true);
        var two = tracker.Begin(A, "D2", webSocket: true);
        var poll = tracker.Begin(A, "D3", webSocket: false);
        one.Dispose();
        poll.Dispose();
        Assert.Empty(closed);
        two.Dispose();
        Assert.Equal(["@a:hs"], closed);
    }
}
