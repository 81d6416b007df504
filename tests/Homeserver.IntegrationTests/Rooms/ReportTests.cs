using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Rooms.Reports;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>Reporting events and rooms; what was stored is read back from the report store.</summary>
public sealed class ReportTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static Task<HttpResponseMessage> ReportEventAsync(HttpClient c, string roomId, string eventId, object body) =>
        c.PostRoomAsync(roomId, "report/" + Uri.EscapeDataString(eventId), body);

    private static Task<IReadOnlyList<EventReport>> ReportsAsync(TestHomeserver hs, string roomId) =>
        hs.Services.GetRequiredService<EventReportStore>().ForRoomAsync(roomId, default);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ReportEvent_ByJoinedMember_IsStoredWithReasonAndScore(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        var eventId = await a.SendTextAsync(roomId, "offensive");

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await (await ReportEventAsync(b, roomId, eventId, new { reason = "spam", score = -100 })).AssertOkAsync();
        await (await ReportEventAsync(b, roomId, eventId, new { })).AssertOkAsync();

        var reports = await ReportsAsync(hs, roomId);
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal((bob.UserId, eventId), (r.Reporter, r.EventId)));
        Assert.Equal(("spam", -100L), (reports[0].Reason, reports[0].Score));
        Assert.Equal((null, null), (reports[1].Reason, reports[1].Score));
        Assert.InRange(reports[0].ReceivedTs, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ReportEvent_ThatTheReporterCannotSee_IsNotFound(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        using var outsider = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new
        {
            preset = "public_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "joined" } } },
        });
        var beforeBob = await a.SendTextAsync(roomId, "before bob");
        await b.JoinAsync(roomId);
        var otherRoom = await a.CreateRoomAsync(new { preset = "public_chat" });
        var elsewhere = await a.SendTextAsync(otherRoom, "in another room");

        // History from before bob joined, under "joined" visibility.
        await (await ReportEventAsync(b, roomId, beforeBob, new { reason = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        // An event of another room named under this one.
        await (await ReportEventAsync(b, roomId, elsewhere, new { reason = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await ReportEventAsync(b, roomId, "$nosuchevent", new { reason = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        // Not joined (spec v1.8), even for an event everyone could read.
        var late = await a.SendTextAsync(roomId, "after bob");
        await (await ReportEventAsync(outsider, roomId, late, new { reason = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await ReportEventAsync(b, "!nosuchroom:" + TestHomeserver.ServerName, late, new { reason = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Empty(await ReportsAsync(hs, roomId));

        // The same member can report what they can see.
        await (await ReportEventAsync(b, roomId, late, new { reason = "x" })).AssertOkAsync();
        Assert.Single(await ReportsAsync(hs, roomId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ReportEvent_IllTypedFields_AreBadJson(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var eventId = await a.SendTextAsync(roomId, "hello");
        await (await ReportEventAsync(a, roomId, eventId, new { score = "very bad" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await ReportEventAsync(a, roomId, eventId, new { score = 1.5 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await ReportEventAsync(a, roomId, eventId, new { reason = 7 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await hs.Client.PostRoomAsync(roomId, "report/" + Uri.EscapeDataString(eventId), new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        Assert.Empty(await ReportsAsync(hs, roomId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ReportRoom_NeedsNoMembership_ButAReasonAndAKnownRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (outsiderUser, outsider) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "private_chat" });

        await (await outsider.PostRoomAsync(roomId, "report", new { reason = "" })).AssertOkAsync();
        var report = Assert.Single(await ReportsAsync(hs, roomId));
        Assert.Equal((outsiderUser.UserId, null, ""), (report.Reporter, report.EventId, report.Reason));

        await (await outsider.PostRoomAsync(roomId, "report", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await outsider.PostRoomAsync("!nosuchroom:" + TestHomeserver.ServerName, "report", new { reason = "gone" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Single(await ReportsAsync(hs, roomId));
    }
}
