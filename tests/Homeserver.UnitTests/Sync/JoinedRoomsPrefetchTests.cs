using Homeserver.Core.Ephemeral;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Push.Counts;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Sync;
using Xunit;

namespace Homeserver.UnitTests.Sync;

/// <summary>What the per-room sections take from rows read ahead must equal what their own queries would return.</summary>
public sealed class JoinedRoomsPrefetchTests
{
    private static JoinedRoomsPrefetch.Room Room(IReadOnlyList<EventRow> newestFirst, IReadOnlyList<CurrentStateStore.Member>? members = null) =>
        new(newestFirst, members ?? [], [], [], null!, Named: false);

    private static EventRow Event(long position) => new() { StreamOrdering = position, EventId = "$" + position, RoomId = "!r:x" };

    [Theory]
    [InlineData(0, new long[] { 9, 7, 4, 2 })]
    [InlineData(4, new long[] { 9, 7 })]
    [InlineData(9, new long[] { })]
    public void FirstPage_IsTheNewestEventsAfterThePosition_NewestFirst(long after, long[] expected)
    {
        var room = Room([Event(9), Event(7), Event(4), Event(2)]);
        Assert.Equal(expected, room.FirstPage(after).Select(e => e.StreamOrdering));
    }

    [Fact]
    public void MembershipOf_IsTheUsersRowOrNone()
    {
        var room = Room([], [new("@a:x", "join", "$1"), new("@b:x", "leave", "$2")]);
        Assert.Equal("leave", room.MembershipOf("@b:x"));
        Assert.Null(room.MembershipOf("@c:x"));
    }

    [Fact]
    public void ReceiptEvent_HidesOthersPrivateReceipts_AndKeepsThreads()
    {
        ReceiptStore.Receipt Receipt(string user, string type, string thread, string eventId) =>
            new() { RoomId = "!r:x", UserId = user, ReceiptType = type, ThreadId = thread, EventId = eventId, Ts = 5 };
        var changed = new[]
        {
            Receipt("@a:x", ReceiptService.Read, ReceiptStore.Unthreaded, "$1"),
            Receipt("@b:x", ReceiptService.ReadPrivate, ReceiptStore.Unthreaded, "$1"),
            Receipt("@c:x", ReceiptService.Read, "$root", "$2"),
        };
        var seenByA = ReceiptService.ReceiptEvent(changed, UserId.Parse("@a:x"))!;
        Assert.Equal("""{"type":"m.receipt","content":{"$1":{"m.read":{"@a:x":{"ts":5}}},"$2":{"m.read":{"@c:x":{"ts":5,"thread_id":"$root"}}}}}""",
            seenByA.ToJsonString());
        Assert.NotNull(ReceiptService.ReceiptEvent(changed, UserId.Parse("@b:x"))!["content"]!["$1"]!["m.read.private"]);
        Assert.Null(ReceiptService.ReceiptEvent(changed.Skip(1).Take(1), UserId.Parse("@a:x")));
    }

    [Fact]
    public void SyncSections_SplitThreadsOnlyWhenAsked()
    {
        var counts = new[]
        {
            new NotificationCounts.ThreadCount { ThreadId = "main", Notifications = 2, Highlights = 1 },
            new NotificationCounts.ThreadCount { ThreadId = "$root", Notifications = 3, Highlights = 0 },
        };
        var (all, none) = NotificationCounts.SyncSections(counts, perThread: false);
        Assert.Equal("""{"notification_count":5,"highlight_count":1}""", all.ToJsonString());
        Assert.Null(none);
        var (main, threads) = NotificationCounts.SyncSections(counts, perThread: true);
        Assert.Equal("""{"notification_count":2,"highlight_count":1}""", main.ToJsonString());
        Assert.Equal("""{"$root":{"notification_count":3,"highlight_count":0}}""", threads!.ToJsonString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(JoinedRoomsPrefetcher.MinPart - 1)]
    [InlineData(500)]
    public async Task ReadsInParts_ReadEveryKeyOnce_AndMergeWhatEachPartFound(int count)
    {
        var keys = Enumerable.Range(0, count).Select(i => "k" + i).ToList();
        var reads = new System.Collections.Concurrent.ConcurrentBag<string[]>();
        var merged = await JoinedRoomsPrefetcher.InPartsAsync(keys, part =>
        {
            reads.Add(part);
            // A key the store does not hold is left out, as a missing event is.
            return Task.FromResult<IReadOnlyDictionary<string, int>>(part.Where(k => k != "k7").ToDictionary(k => k, k => int.Parse(k[1..])));
        }, CancellationToken.None);

        Assert.Equal(keys.Order(), reads.SelectMany(p => p).Order());
        Assert.All(reads, part => Assert.True(part.Length >= Math.Min(count, JoinedRoomsPrefetcher.MinPart)));
        // One part per core, none smaller than MinPart.
        var partSize = Math.Max(JoinedRoomsPrefetcher.MinPart, (count + Environment.ProcessorCount - 1) / Environment.ProcessorCount);
        Assert.Equal((count + partSize - 1) / partSize, reads.Count);
        Assert.Equal(keys.Where(k => k != "k7").ToDictionary(k => k, k => int.Parse(k[1..])), merged);
    }
}
