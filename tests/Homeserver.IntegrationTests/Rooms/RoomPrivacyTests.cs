using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>Non-members and history visibility on every read path (checklist rows 23 and 25).</summary>
public sealed class RoomPrivacyTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NonMember_CannotReadAPrivateRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var outsider = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "private_chat" });
        var eventId = await a.SendTextAsync(roomId, "secret");
        foreach (var path in new[] { "messages", "state", "members", "joined_members", "state/m.room.name/" })
        {
            var res = await outsider.GetRoomAsync(roomId, path);
            Assert.True(res.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)res.StatusCode}");
        }
        var ev = await outsider.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(eventId));
        Assert.True(ev.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"event: {(int)ev.StatusCode}");
    }

    [Theory]
    [InlineData("joined", false)]
    [InlineData("shared", true)]
    [InlineData("invited", false)]
    [InlineData("world_readable", true)]
    public async Task HistoryVisibility_DecidesWhatANewMemberSees(string visibility, bool seesEarlier)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new
        {
            preset = "public_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = visibility } } },
        });
        await a.SendTextAsync(roomId, "before bob");
        await b.JoinAsync(roomId);
        await a.SendTextAsync(roomId, "after bob");
        var seen = (await b.MessagesAsync(roomId)).Bodies().ToList();
        Assert.Contains("after bob", seen);
        Assert.Equal(seesEarlier, seen.Contains("before bob"));
    }

    [Fact]
    public async Task InvitedVisibility_ShowsEventsFromTheInviteOn()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new
        {
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "invited" } } },
        });
        await a.SendTextAsync(roomId, "before invite");
        await a.InviteAsync(roomId, bob.UserId);
        await a.SendTextAsync(roomId, "after invite");
        await b.JoinAsync(roomId);
        var seen = (await b.MessagesAsync(roomId)).Bodies().ToList();
        Assert.Contains("after invite", seen);
        Assert.DoesNotContain("before invite", seen);
    }

    [Fact]
    public async Task HiddenEvent_IsNotFoundThroughEventEndpoint()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new
        {
            preset = "public_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "joined" } } },
        });
        var early = await a.SendTextAsync(roomId, "early");
        await b.JoinAsync(roomId);
        var late = await a.SendTextAsync(roomId, "late");
        await (await b.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(early))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        var ok = await (await b.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(late))).AssertOkAsync();
        Assert.Equal("late", ok.GetProperty("content").GetProperty("body").GetString());
    }
}
