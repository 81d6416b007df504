using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.SlidingSync.SlidingSyncClient;

namespace Homeserver.IntegrationTests.SlidingSync;

/// <summary>A connection outlives a restart: Element X stalled on a server that kept connections in memory.</summary>
public sealed class SlidingSyncRestartTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Connection_ContinuesAcrossARestart_WithOnlyWhatIsNew(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        TestUser alice;
        string roomId, pos;
        await using (var hs = await TestHomeserver.StartAsync(options))
        {
            (alice, var a) = await hs.RegisterClientAsync();
            roomId = await a.CreateRoomAsync();
            await a.SendTextAsync(roomId, "before the restart");
            var first = await SyncAsync(a, RoomList());
            Assert.Equal(["before the restart"], Bodies(Room(first, roomId)));
            pos = Pos(first);
        }

        await using var again = await TestHomeserver.StartAsync(options);
        var client = again.ClientFor(alice);
        await client.SendTextAsync(roomId, "after the restart");
        var next = await SyncAsync(client, RoomList(), pos);
        var room = Room(next, roomId);
        Assert.False(room.TryGetProperty("initial", out _));
        Assert.Equal(["after the restart"], Bodies(room));
        Assert.Equal(1, room.GetProperty("num_live").GetInt32());
    }
}
