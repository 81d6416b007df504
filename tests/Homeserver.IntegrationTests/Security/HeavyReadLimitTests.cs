using System.Net;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 5: sixteen concurrent <c>/messages?limit=1000</c> of one user on a room of 63 KB events took
/// the server to 8.6 GB. A page now carries at most <see cref="PageBudget.MaxBytes"/> of events (its token continues
/// after them), and one account runs at most <c>limits.max_concurrent_heavy_reads</c> such reads at once.
/// </summary>
public sealed class HeavyReadLimitTests
{
    private const int EventCount = 100;
    private static readonly string LargeBody = new('x', 60_000);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PageOfLargeEvents_StopsAtTheByteBudget_AndItsTokenReachesEveryEvent(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine);
        var alice = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync();
        for (var i = 0; i < EventCount; i++)
            await alice.SendTextAsync(roomId, $"{i}:{LargeBody}");

        var seen = new List<string>();
        string? from = null;
        var pages = 0;
        do
        {
            var page = await (await alice.GetRoomAsync(roomId, $"messages?dir=b&limit=1000{(from is null ? "" : "&from=" + from)}")).AssertOkAsync();
            var chunk = page.GetProperty("chunk").EnumerateArray().ToList();
            from = page.TryGetProperty("end", out var end) ? end.GetString() : null;
            // Only the page past the start of the room is empty, and only it has no end.
            Assert.InRange(chunk.Sum(e => e.GetRawText().Length), from is null ? 0 : 1, from is null ? 0 : PageBudget.MaxBytes + 70_000);
            seen.AddRange(chunk.Bodies());
            pages++;
        }
        while (from is not null && pages < 10);

        Assert.True(pages > 1, "a page of 6 MB of events was answered whole");
        Assert.Equal(Enumerable.Range(0, EventCount).Reverse().Select(i => $"{i}:{LargeBody}"), seen);

        // /context of the newest event: the events before it stop at the budget too, and its start token continues there.
        var newest = (await alice.MessagesAsync(roomId, "dir=b&limit=1"))[0].GetProperty("event_id").GetString()!;
        var context = await (await alice.GetRoomAsync(roomId, $"context/{Uri.EscapeDataString(newest)}?limit=1000")).AssertOkAsync();
        var before = context.GetProperty("events_before").EnumerateArray().ToList();
        Assert.InRange(before.Sum(e => e.GetRawText().Length), 1, PageBudget.MaxBytes + 70_000);
        Assert.True(before.Count < EventCount - 1, "the events before a context were answered whole");
        var rest = await alice.MessagesAsync(roomId, $"dir=b&limit=1000&from={context.GetProperty("start").GetString()}");
        Assert.Equal(Enumerable.Range(0, EventCount - 1).Reverse().Select(i => $"{i}:{LargeBody}"), before.Bodies().Concat(rest.Bodies()));

        // A sync asking for a timeline of 500 gets the newest events within the budget, limited, and its prev_batch
        // pages back through the rest.
        var sync = await SyncClient.SyncAsync(alice, filter: "{\"room\":{\"timeline\":{\"limit\":500}}}");
        var room = SyncClient.Room(sync, "join", roomId);
        var timeline = SyncClient.Events(room, "timeline");
        Assert.InRange(timeline.Sum(e => e.GetRawText().Length), 1, PageBudget.MaxBytes + 70_000);
        Assert.True(SyncClient.Limited(room));
        var older = await alice.MessagesAsync(roomId, $"dir=b&limit=1000&from={room.GetProperty("timeline").GetProperty("prev_batch").GetString()}");
        Assert.Equal(Enumerable.Range(0, EventCount).Select(i => $"{i}:{LargeBody}"), older.Bodies().Reverse().Concat(timeline.Bodies()));
    }

    [Fact]
    public async Task ConcurrentLargePagesOfOneUser_BeyondTheCapGet429_WhileAnotherUserIsServed()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Limits.MaxConcurrentHeavyReads = 2);
        var aliceUser = await hs.RegisterAsync();
        var alice = hs.ClientFor(aliceUser);
        var bob = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat" });
        await bob.JoinAsync(roomId);
        for (var i = 0; i < 80; i++)
            await alice.SendTextAsync(roomId, $"{i}:{LargeBody}");

        // Each of the sixteen on a connection of its own, as a client opening many would.
        var clients = Enumerable.Range(0, 16).Select(_ => hs.ClientFor(aliceUser)).ToList();
        var heavy = clients.Select(c => c.GetRoomAsync(roomId, "messages?dir=b&limit=1000")).ToList();
        var bobs = await bob.GetRoomAsync(roomId, "messages?dir=b&limit=10");
        var answers = await Task.WhenAll(heavy);

        Assert.Equal(10, (await bobs.AssertOkAsync()).GetProperty("chunk").GetArrayLength());
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        foreach (var r in refused)
        {
            Assert.NotNull(r.Headers.RetryAfter);
            Assert.True((await r.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED")).GetProperty("retry_after_ms").GetInt64() > 0);
        }
        foreach (var c in clients)
            c.Dispose();

        // Once the burst is over, the same user is served again.
        Assert.NotEmpty((await alice.MessagesAsync(roomId, "dir=b&limit=1000")));
    }
}
