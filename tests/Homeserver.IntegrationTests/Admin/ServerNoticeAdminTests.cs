using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

public sealed class ServerNoticeAdminTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Notice_ArrivesAsAnInviteIntoATaggedRoom_OncePerTransaction_AndTheNextGoesToTheSameRoom(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine, o =>
        {
            o.ServerNotices.SystemMxidLocalpart = "notices";
            o.ServerNotices.SystemMxidDisplayName = "Server Notices Bot";
            o.ServerNotices.RoomName = "Notices";
        });
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        var body = new { user_id = alice.UserId, content = new { msgtype = "m.text", body = "Maintenance tonight" } };

        var first = await (await admin.PutAsJsonAsync("/_synapse/admin/v1/send_server_notice/txn1", body)).AssertOkAsync();
        var again = await (await admin.PutAsJsonAsync("/_synapse/admin/v1/send_server_notice/txn1", body)).AssertOkAsync();
        Assert.Equal(first.GetProperty("event_id").GetString(), again.GetProperty("event_id").GetString());

        var sync = await (await a.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync();
        var invite = Assert.Single(sync.GetProperty("rooms").GetProperty("invite").EnumerateObject());
        var roomId = invite.Name;
        var stripped = invite.Value.GetProperty("invite_state").GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(stripped, e => e.GetProperty("type").GetString() == "m.room.name" && e.GetProperty("content").GetProperty("name").GetString() == "Notices");
        Assert.Contains(stripped, e => e.GetProperty("type").GetString() == "m.room.member"
            && e.GetProperty("sender").GetString() == $"@notices:{TestHomeserver.ServerName}");
        var tags = await (await a.GetAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/rooms/{Uri.EscapeDataString(roomId)}/tags")).AssertOkAsync();
        Assert.True(tags.GetProperty("tags").TryGetProperty("m.server_notice", out _));

        await a.JoinAsync(roomId);
        Assert.Equal(["Maintenance tonight"], (await a.MessagesAsync(roomId)).Bodies());
        var profile = await (await a.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString($"@notices:{TestHomeserver.ServerName}")}/displayname")).AssertOkAsync();
        Assert.Equal("Server Notices Bot", profile.GetProperty("displayname").GetString());
        // Users read their notices but do not answer them.
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/r1", new { msgtype = "m.text", body = "no" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        var second = await (await admin.PostAsJsonAsync("/_synapse/admin/v1/send_server_notice", new { user_id = alice.UserId, content = new { msgtype = "m.text", body = "Done" } })).AssertOkAsync();
        Assert.NotEqual(first.GetProperty("event_id").GetString(), second.GetProperty("event_id").GetString());
        Assert.Equal(["Done", "Maintenance tonight"], (await a.MessagesAsync(roomId)).Bodies());

        await (await admin.PostAsJsonAsync("/_synapse/admin/v1/send_server_notice", new { user_id = "@someone:elsewhere.example", content = new { body = "x" } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsJsonAsync("/_synapse/admin/v1/send_server_notice", new { user_id = $"@nobody:{TestHomeserver.ServerName}", content = new { body = "x" } }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PostAsJsonAsync("/_synapse/admin/v1/send_server_notice", new { user_id = alice.UserId, content = "text" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsJsonAsync("/_synapse/admin/v1/send_server_notice", new { content = new { body = "x" } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await a.PostAsJsonAsync("/_synapse/admin/v1/send_server_notice", body)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Notice_WhenNotConfigured_IsRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, _) = await hs.RegisterClientAsync();
        await (await admin.PostAsJsonAsync("/_synapse/admin/v1/send_server_notice", new { user_id = alice.UserId, content = new { body = "x" } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
    }
}
