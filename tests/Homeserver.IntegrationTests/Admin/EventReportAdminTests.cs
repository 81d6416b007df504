using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

public sealed class EventReportAdminTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ReportsFiledByClients_AreListedFilteredPagedAndDeleted(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.name", new { name = "Reported room" })).AssertOkAsync();
        var bad = await b.SendTextAsync(roomId, "something bad");
        var worse = await a.SendTextAsync(roomId, "something worse");
        await (await a.PostRoomAsync(roomId, $"report/{Uri.EscapeDataString(bad)}", new { reason = "spam", score = -100 })).AssertOkAsync();
        await (await b.PostRoomAsync(roomId, $"report/{Uri.EscapeDataString(worse)}", new { reason = "abuse" })).AssertOkAsync();
        // A report of the room itself is not an event report.
        await (await a.PostRoomAsync(roomId, "report", new { reason = "whole room" })).AssertOkAsync();
        var list = $"/_synapse/admin/v1/event_reports?room_id={Uri.EscapeDataString(roomId)}";

        var all = await (await admin.GetAsync(list)).AssertOkAsync();
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.False(all.TryGetProperty("next_token", out _));
        var newest = all.GetProperty("event_reports")[0];
        Assert.Equal(worse, newest.GetProperty("event_id").GetString());
        Assert.Equal(bob.UserId, newest.GetProperty("user_id").GetString());
        Assert.Equal(alice.UserId, newest.GetProperty("sender").GetString());
        Assert.Equal("abuse", newest.GetProperty("reason").GetString());
        Assert.Equal("Reported room", newest.GetProperty("name").GetString());
        Assert.Equal(roomId, newest.GetProperty("room_id").GetString());
        Assert.True(newest.GetProperty("received_ts").GetInt64() > 0);
        Assert.False(newest.TryGetProperty("event_json", out _));

        var firstPage = await (await admin.GetAsync($"{list}&limit=1&dir=f")).AssertOkAsync();
        Assert.Equal(1, firstPage.GetProperty("next_token").GetInt32());
        var older = firstPage.GetProperty("event_reports")[0];
        Assert.Equal(bad, older.GetProperty("event_id").GetString());
        Assert.Equal(-100, older.GetProperty("score").GetInt32());

        var byReporter = await (await admin.GetAsync($"{list}&user_id={Uri.EscapeDataString(alice.UserId)}")).AssertOkAsync();
        Assert.Equal(bad, Assert.Single(byReporter.GetProperty("event_reports").EnumerateArray()).GetProperty("event_id").GetString());
        var bySender = await (await admin.GetAsync($"{list}&event_sender_user_id={Uri.EscapeDataString(alice.UserId)}")).AssertOkAsync();
        Assert.Equal(worse, Assert.Single(bySender.GetProperty("event_reports").EnumerateArray()).GetProperty("event_id").GetString());

        var id = older.GetProperty("id").GetInt64();
        var one = await (await admin.GetAsync($"/_synapse/admin/v1/event_reports/{id}")).AssertOkAsync();
        Assert.Equal("something bad", one.GetProperty("event_json").GetProperty("content").GetProperty("body").GetString());
        await (await admin.DeleteAsync($"/_synapse/admin/v1/event_reports/{id}")).AssertOkAsync();
        await (await admin.GetAsync($"/_synapse/admin/v1/event_reports/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.DeleteAsync($"/_synapse/admin/v1/event_reports/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(1, (await (await admin.GetAsync(list)).AssertOkAsync()).GetProperty("total").GetInt32());

        await (await admin.GetAsync("/_synapse/admin/v1/event_reports/abc")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync("/_synapse/admin/v1/event_reports?limit=-5")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetAsync("/_synapse/admin/v1/event_reports")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
