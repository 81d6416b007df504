using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>Restricted and knock join rules through the client API.</summary>
public sealed class JoinRuleTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RestrictedRoom_AdmitsMembersOfTheAllowedRoomOnly(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var admin = hs.ClientFor(await hs.RegisterAsync());
        var (member, m) = await hs.RegisterClientAsync();
        using var outsider = hs.ClientFor(await hs.RegisterAsync());
        var space = await admin.CreateRoomAsync(new { preset = "private_chat", invite = new[] { member.UserId } });
        await m.JoinAsync(space);
        var restricted = await admin.CreateRoomAsync(new
        {
            initial_state = new[]
            {
                new
                {
                    type = "m.room.join_rules", state_key = "",
                    content = (object)new { join_rule = "restricted", allow = new[] { new { type = "m.room_membership", room_id = space } } },
                },
            },
        });

        await m.JoinAsync(restricted);
        var joined = await (await admin.GetRoomAsync(restricted, $"state/m.room.member/{Uri.EscapeDataString(member.UserId)}")).AssertOkAsync();
        Assert.Equal("join", joined.GetProperty("membership").GetString());
        Assert.True(joined.TryGetProperty("join_authorised_via_users_server", out var via));
        Assert.StartsWith("@", via.GetString());

        await (await outsider.PostRoomAsync(restricted, "join", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Fact]
    public async Task KnockRoom_KnockThenInviteThenJoin()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var admin = hs.ClientFor(await hs.RegisterAsync());
        var (visitor, v) = await hs.RegisterClientAsync();
        var roomId = await admin.CreateRoomAsync(new
        {
            initial_state = new[] { new { type = "m.room.join_rules", state_key = "", content = new { join_rule = "knock" } } },
        });
        await (await v.PostRoomAsync(roomId, "join", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var knock = await (await v.PostAsJsonAsync($"/_matrix/client/v3/knock/{Uri.EscapeDataString(roomId)}", new { reason = "let me in" })).AssertOkAsync();
        Assert.Equal(roomId, knock.GetProperty("room_id").GetString());
        var state = await (await admin.GetRoomAsync(roomId, $"state/m.room.member/{Uri.EscapeDataString(visitor.UserId)}")).AssertOkAsync();
        Assert.Equal("knock", state.GetProperty("membership").GetString());
        Assert.Equal("let me in", state.GetProperty("reason").GetString());
        await admin.InviteAsync(roomId, visitor.UserId);
        await v.JoinAsync(roomId);
    }

    [Fact]
    public async Task KnockOnInviteOnlyRoom_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var admin = hs.ClientFor(await hs.RegisterAsync());
        using var v = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await admin.CreateRoomAsync(new { preset = "private_chat" });
        await (await v.PostAsJsonAsync($"/_matrix/client/v3/knock/{Uri.EscapeDataString(roomId)}", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
