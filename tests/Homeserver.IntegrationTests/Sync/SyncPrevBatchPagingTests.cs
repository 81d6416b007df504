using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>
/// A client paging back from an initial sync's <c>prev_batch</c> in a fresh room, whose whole history fits the
/// timeline, as SyTest's "GET /rooms/:room_id/messages returns a message" and "... lazy loads members correctly" do.
/// </summary>
public sealed class SyncPrevBatchPagingTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PrevBatchOfAWholeTimeline_PagesBackOverIt_WithStartAndEnd(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "Here is the message content");
        var room = Room(await SyncAsync(a), "join", roomId);
        Assert.False(Limited(room));
        var timeline = Events(room, "timeline");

        var page = await MessagesAsync(a, roomId, $"dir=b&from={Uri.EscapeDataString(PrevBatch(room))}");

        Assert.True(page.TryGetProperty("start", out _), $"no start: {page}");
        Assert.True(page.TryGetProperty("end", out _), $"no end: {page}");
        var chunk = page.GetProperty("chunk").EnumerateArray().ToList();
        Assert.Equal(["Here is the message content"], chunk.Bodies());
        Assert.Equal(timeline.Select(EventId).Reverse(), chunk.Select(EventId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task FollowingEndTokensFromPrevBatch_ReachesTheRoomsStart_AndStops(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        for (var i = 0; i < 3; i++)
            await a.SendTextAsync(roomId, $"m{i}");
        var room = Room(await SyncAsync(a), "join", roomId);
        Assert.False(Limited(room));
        var timeline = Events(room, "timeline");

        var paged = new List<JsonElement>();
        var from = PrevBatch(room);
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 20, "paging did not end");
            var page = await MessagesAsync(a, roomId, $"dir=b&limit=2&from={Uri.EscapeDataString(from)}");
            var chunk = page.GetProperty("chunk").EnumerateArray().ToList();
            paged.AddRange(chunk);
            if (!page.TryGetProperty("end", out var end))
            {
                Assert.Empty(chunk);
                break;
            }
            Assert.NotEmpty(chunk);
            from = end.GetString()!;
        }

        Assert.Equal(timeline.Select(EventId).Reverse(), paged.Select(EventId));
        Assert.Equal("m.room.create", Type(paged[^1]));
        Assert.Equal(["m2", "m1", "m0"], paged.Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LazyLoadingMembers_GivesTheSendersMembership_AsState(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        using var a = hs.ClientFor(user);
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "Here is the message content");
        var room = Room(await SyncAsync(a), "join", roomId);

        var filter = Uri.EscapeDataString("""{"lazy_load_members":true}""");
        var page = await MessagesAsync(a, roomId, $"dir=b&filter={filter}&from={Uri.EscapeDataString(PrevBatch(room))}");

        Assert.True(page.TryGetProperty("end", out _), $"no end: {page}");
        Assert.NotEmpty(page.GetProperty("chunk").EnumerateArray());
        var member = Assert.Single(page.GetProperty("state").EnumerateArray());
        Assert.Equal("m.room.member", Type(member));
        Assert.Equal(user.UserId, StateKey(member));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task WithoutLazyLoading_NoStateIsAnswered(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();

        var page = await MessagesAsync(a, roomId, "dir=b");

        Assert.False(page.TryGetProperty("state", out _), $"state without lazy loading: {page}");
    }

    private static string PrevBatch(JsonElement room) => room.GetProperty("timeline").GetProperty("prev_batch").GetString()!;

    private static string EventId(JsonElement e) => e.GetProperty("event_id").GetString()!;

    private static async Task<JsonElement> MessagesAsync(HttpClient c, string roomId, string query) =>
        await (await c.GetRoomAsync(roomId, "messages?" + query)).AssertOkAsync();
}
